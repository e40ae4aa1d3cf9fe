import Foundation
import QuenchFiles

/// A model the training machine fetches from a hub itself, with its own hub settings and token,
/// instead of receiving the files in the bundle: the repository, the commit this side resolved, and
/// the sha256 of every file this side verified, so the other side trains on exactly the same bytes.
///
/// On disk, `model-reference.json` at the top of the bundle (covered by the bundle's manifest), and
/// the bundle's training.yaml names it as its `model`.
public struct ModelReference: Codable, Sendable, Equatable {
    /// `org/name` on the hub.
    public let repo: String
    /// The 40-hex commit the files are fetched at.
    public let commit: String
    /// Path inside the repository → lower-case hex sha256.
    public let files: [String: String]

    /// The reference's file name inside a bundle.
    public static let fileName = "model-reference.json"
    /// The environment variable naming the 0600 file of a hub token sent with the job, on the training
    /// machine (see `ProcessBackend`); it is used before that machine's own token.
    public static let sentTokenVariable = "QUENCH_HUB_TOKEN_FILE"
    /// A reference lists a few files; anything past this is not one.
    static let maximumSize = 1 << 20

    /// A reference, checked like one read from a bundle.
    public init(repo: String, commit: String, files: [String: String]) throws {
        self.repo = repo
        self.commit = commit
        self.files = files
        try check(file: Self.fileName)
    }

    /// Decodes and checks a reference: a decoded value is always a well-formed one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        repo = try container.decode(String.self, forKey: .repo)
        commit = try container.decode(String.self, forKey: .commit)
        files = try container.decode([String: String].self, forKey: .files)
        try check(file: Self.fileName)
    }

    enum CodingKeys: String, CodingKey { case repo, commit, files }

    /// Reads and checks the reference at `url`: a repository name, a full commit, safe relative paths
    /// and well-formed digests; anything else is refused with the reason.
    public static func read(from url: URL) throws -> ModelReference {
        _ = try DirectoryWalk.regularFileSize(url, missing: .missingFile(path: url.lastPathComponent))
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            data = try handle.read(upToCount: maximumSize + 1) ?? Data()
        } catch {
            throw DispatchError.fileFailed(path: url.path, reason: error.localizedDescription)
        }
        guard data.count <= maximumSize else {
            throw DispatchError.invalidModelReference(file: url.path, reason: "it is larger than \(maximumSize) bytes")
        }
        do {
            return try JSONDecoder().decode(ModelReference.self, from: data)
        } catch DispatchError.invalidModelReference(_, let reason) {
            throw DispatchError.invalidModelReference(file: url.path, reason: reason)
        } catch {
            throw DispatchError.invalidModelReference(file: url.path, reason: "not a model reference: \(error)")
        }
    }

    /// Writes the reference as JSON (sorted keys) to `url`.
    func write(to url: URL) throws {
        do {
            try AtomicFile.writeJSON(self, to: url)
        } catch {
            throw DispatchError.fileFailed(path: url.path, reason: "cannot write the model reference: \(error.reason)")
        }
    }

    private func check(file: String) throws {
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && FileManifest.isSafe(String($0)) }) else {
            throw DispatchError.invalidModelReference(file: file, reason: "repo '\(repo)' is not org/name")
        }
        guard Self.isHex(commit, length: 40) else {
            throw DispatchError.invalidModelReference(file: file, reason: "commit '\(commit)' is not a 40-hex commit")
        }
        guard !files.isEmpty, files.count <= 10_000 else {
            throw DispatchError.invalidModelReference(file: file, reason: "it must list between 1 and 10000 files")
        }
        for (path, digest) in files {
            // The names are passed to the downloader as patterns: a wildcard could fetch other files.
            guard FileManifest.isSafe(path), !path.contains(where: { "*?[]".contains($0) }) else {
                throw DispatchError.invalidModelReference(file: file, reason: "file '\(path)' could escape the model folder or match other files")
            }
            guard Self.isHex(digest, length: 64) else {
                throw DispatchError.invalidModelReference(file: file, reason: "the sha256 of \(path) is not 64 lower-case hex digits")
            }
        }
    }

    private static func isHex(_ text: String, length: Int) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
