import Crypto
import Foundation
import QuenchFiles
import QuenchRegistry

/// What a client remembers about one registry: its pinned public key and the signed checkpoints of the
/// audit log it has seen, newest last. Kept in a private file per registry (`WitnessState.location`).
public struct WitnessState: Codable, Sendable, Equatable {
    /// The registry's normalized URL (`RegistryURL.normalized`).
    public var url: String
    /// `SigningKey.keyID` of the pinned key.
    public var keyID: String
    /// The pinned public key, PEM.
    public var publicKeyPEM: String
    /// Checkpoints seen, in increasing tree size, at most `maximumCheckpoints`.
    public var checkpoints: [AuditCheckpoint]

    /// How many checkpoints are remembered; older ones are dropped first.
    public static let maximumCheckpoints = 1000
    /// The largest state file read (1000 checkpoints take about 300 KB).
    static let fileLimit = 4 << 20

    enum CodingKeys: String, CodingKey {
        case url, keyID = "key_id", publicKeyPEM = "public_key_pem", checkpoints
    }

    public init(url: String, keyID: String, publicKeyPEM: String, checkpoints: [AuditCheckpoint] = []) {
        self.url = url
        self.keyID = keyID
        self.publicKeyPEM = publicKeyPEM
        self.checkpoints = checkpoints
    }

    /// `${XDG_STATE_HOME:-~/.local/state}/quench/registries/<first 16 hex of sha256(url)>.json` for the
    /// normalized registry `url`; a relative XDG_STATE_HOME is ignored, as the XDG specification says.
    public static func location(for url: String, environment: [String: String]) -> URL {
        let base: URL
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            base = URL(fileURLWithPath: state)
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            base = URL(fileURLWithPath: home).appendingPathComponent(".local/state")
        } else {
            base = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/state")
        }
        let name = SHA256.hash(data: Data(url.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return base.appendingPathComponent("quench/registries/\(name).json")
    }

    /// The state in `file`, nil when there is none yet. The file must be a regular file (not a symbolic
    /// link) of the current user that only its owner can read, and must be about `url`.
    public static func read(from file: URL, url: String) throws(RegistryClientError) -> WitnessState? {
        let data: Data
        do {
            let opened = try RegularFile(path: file.path, followingLinks: false, limit: fileLimit)
            try opened.requirePrivate()
            data = try opened.readAll(limit: fileLimit)
        } catch .missing {
            return nil
        } catch {
            throw .stateUnreadable(path: file.path, reason: error.reason)
        }
        let state: WitnessState
        do {
            state = try JSONFile.decode(WitnessState.self, from: data, path: file.path)
        } catch {
            throw .stateInvalid(path: file.path, reason: error.reason)
        }
        try state.validate(path: file.path, url: url)
        return state
    }

    /// Writes the state to `file` atomically, mode 0600, creating its folder (0700) when absent.
    public func write(to file: URL) throws(RegistryClientError) {
        let folder = file.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .stateUnwritable(path: file.path, reason: FileErrorText.reason(error, path: folder.path))
        }
        do {
            try AtomicFile.writeJSON(self, to: file, permissions: 0o600)
        } catch {
            throw .stateUnwritable(path: file.path, reason: error.reason)
        }
    }

    /// The pinned key, parsed.
    func pinnedKey(path: String) throws(RegistryClientError) -> P256.Signing.PublicKey {
        do {
            return try P256.Signing.PublicKey(pemRepresentation: publicKeyPEM)
        } catch {
            throw .stateInvalid(path: path, reason: "public_key_pem is not a P-256 public key (\(error))")
        }
    }

    /// Refuses a state about another registry, a key id that is not the pinned key's, or checkpoints out of order.
    private func validate(path: String, url expected: String) throws(RegistryClientError) {
        guard url == expected else { throw .stateInvalid(path: path, reason: "it records \(url), not \(expected)") }
        let computed = SigningKey.keyID(try pinnedKey(path: path))
        guard computed == keyID else {
            throw .stateInvalid(path: path, reason: "key_id \(keyID) is not the id of public_key_pem (\(computed))")
        }
        for (older, newer) in zip(checkpoints, checkpoints.dropFirst()) where newer.treeSize <= older.treeSize {
            throw .stateInvalid(path: path, reason: "checkpoint for tree size \(newer.treeSize) follows one for \(older.treeSize)")
        }
    }
}
