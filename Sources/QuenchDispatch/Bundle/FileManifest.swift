import Foundation
import QuenchFiles
import QuenchSecurity

/// The list of files a directory must hold, with their sizes and SHA-256: written beside a job bundle
/// and beside its returned outputs, and checked on the other side before anything is used.
///
/// On disk, `manifest.json`: `{"quench_version": "0.1.0", "files": [{"path", "size", "sha256"}]}`,
/// sorted by path, paths relative with `/` separators.
public struct FileManifest: Codable, Sendable, Equatable {
    /// One listed file.
    public struct Entry: Codable, Sendable, Equatable {
        /// Relative path with `/` separators.
        public let path: String
        public let size: Int64
        /// Lower-case hex SHA-256.
        public let sha256: String
    }

    /// The file name a manifest has inside the directory it describes.
    public static let fileName = "manifest.json"
    /// A manifest lists files, not their contents: anything past this is not one.
    static let maximumSize = 16 << 20

    /// The Quench release that wrote the directory.
    public let quenchVersion: String
    public let files: [Entry]

    enum CodingKeys: String, CodingKey {
        case quenchVersion = "quench_version", files
    }

    /// A manifest of `files`, sorted by path.
    public init(quenchVersion: String, files: [Entry]) {
        self.quenchVersion = quenchVersion
        self.files = files.sorted { $0.path < $1.path }
    }

    /// Hashes every regular file under `directory` except the manifest itself and the top-level folders
    /// in `excluding`; refuses symbolic links and special files.
    public static func describe(_ directory: URL, quenchVersion: String, excluding: Set<String> = []) throws -> FileManifest {
        let found = try DirectoryWalk.regularFiles(under: directory, excluding: excluding.union([fileName]))
        let entries = try found.map { relative -> Entry in
            let url = directory.appendingPathComponent(relative)
            return Entry(path: relative, size: try DirectoryWalk.size(of: url), sha256: try digest(url))
        }
        return FileManifest(quenchVersion: quenchVersion, files: entries)
    }

    /// Writes the manifest as `manifest.json` in `directory`, atomically.
    public func write(into directory: URL) throws {
        let url = directory.appendingPathComponent(Self.fileName)
        do {
            try AtomicFile.writeJSON(self, to: url)
        } catch {
            throw DispatchError.fileFailed(path: url.path, reason: "cannot write the manifest: \(error.reason)")
        }
    }

    /// Reads `manifest.json` from `directory` and checks its own rules: a bounded size, safe unique
    /// paths, well-formed digests and sizes.
    public static func read(from directory: URL) throws -> FileManifest {
        let url = directory.appendingPathComponent(fileName)
        let size = try DirectoryWalk.regularFileSize(url, missing: .missingFile(path: url.path))
        guard size <= Int64(maximumSize) else {
            throw DispatchError.invalidManifest(file: url.path, reason: "it is \(size) bytes; at most \(maximumSize)")
        }
        let manifest: FileManifest
        do {
            manifest = try JSONDecoder().decode(FileManifest.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw DispatchError.invalidManifest(file: url.path, reason: "\(error)")
        } catch {
            throw DispatchError.invalidManifest(file: url.path, reason: error.localizedDescription)
        }
        try manifest.validate(file: url.path)
        return manifest
    }

    func validate(file: String) throws {
        var seen = Set<String>()
        for entry in files {
            guard Self.isSafe(entry.path) else { throw DispatchError.unsafePath(file: file, path: entry.path) }
            guard seen.insert(entry.path).inserted else {
                throw DispatchError.invalidManifest(file: file, reason: "'\(entry.path)' is listed twice")
            }
            guard entry.size >= 0 else {
                throw DispatchError.invalidManifest(file: file, reason: "'\(entry.path)' has negative size \(entry.size)")
            }
            guard entry.sha256.count == 64, entry.sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw DispatchError.invalidManifest(file: file, reason: "'\(entry.path)' has no lower-case hex sha256")
            }
        }
        guard !quenchVersion.isEmpty, quenchVersion.count <= 64 else {
            throw DispatchError.invalidManifest(file: file, reason: "quench_version must be a short release name")
        }
    }

    /// A relative path of ordinary names: no leading `/`, no `.` or `..`, no empty parts, no backslashes
    /// or control characters, nothing a shell or another OS could read differently.
    public static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= 1024, !path.hasPrefix("/") else { return false }
        guard !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\\" || $0.value == 0x7f }) else {
            return false
        }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    static func digest(_ url: URL) throws -> String {
        do {
            return try FileDigest.sha256(of: url)
        } catch {
            throw DispatchError.fileFailed(path: url.path, reason: "\(error)")
        }
    }
}
