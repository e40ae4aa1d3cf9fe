import Foundation
import QuenchFiles

/// The one way Quench reads a secret file (signing key, pseudonym key, hub token): a policy over
/// `RegularFile`, whose checks are all made on the open descriptor, so the file checked is the file read.
///
/// The file is opened without following a symbolic link and without blocking (a FIFO planted at the
/// path cannot hang the read), then must be a regular file owned by the current user, with no group
/// or other access, and no larger than a key file can be.
public enum KeyFile {
    /// Why a key file was refused (`path` and `reason` say which and why).
    public typealias Failure = RegularFile.Failure

    /// Key files are a few hundred bytes; anything far larger is not a key.
    public static let defaultLimit = 64 << 10

    /// The bytes of the secret file at `url`, after the checks above.
    /// - Throws: `KeyFile.Failure` naming the file and why.
    public static func readSecret(_ url: URL, limit: Int = defaultLimit) throws -> Data {
        let file = try RegularFile(path: url.path, followingLinks: false, limit: limit)
        try file.requirePrivate()
        return try file.readAll(limit: limit)
    }
}
