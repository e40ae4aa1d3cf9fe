import Foundation

/// Checks a directory against a manifest: exactly the listed files, each a regular file of the listed
/// size and SHA-256. Used on both sides: the remote checks the bundle it received, the local side
/// checks the results that came back.
public enum ManifestVerifier {
    /// Throws the first difference between `directory` and `manifest`; top-level entries named in
    /// `excluding` (and the manifest itself) are not part of the comparison.
    public static func verify(_ directory: URL, against manifest: FileManifest, excluding: Set<String> = []) throws {
        let present = try DirectoryWalk.regularFiles(under: directory, excluding: excluding.union([FileManifest.fileName]))
        let listed = Set(manifest.files.map(\.path))
        if let extra = present.first(where: { !listed.contains($0) }) {
            throw DispatchError.unlistedFile(path: extra)
        }
        let presentSet = Set(present)
        for entry in manifest.files {
            guard presentSet.contains(entry.path) else { throw DispatchError.missingFile(path: entry.path) }
            let url = directory.appendingPathComponent(entry.path)
            let size = try DirectoryWalk.size(of: url)
            guard size == entry.size else {
                throw DispatchError.sizeMismatch(path: entry.path, expected: entry.size, found: size)
            }
            try requireSHA256(entry.sha256, of: url, naming: entry.path)
        }
    }

    /// Throws the first file of `digests` (path inside `folder` → sha256) that is missing from
    /// `folder` or has another sha256, naming it by its full path; files not listed are not looked at.
    public static func verify(_ folder: URL, holding digests: [String: String]) throws {
        for (path, expected) in digests.sorted(by: { $0.key < $1.key }) {
            let file = folder.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: file.path) else { throw DispatchError.missingFile(path: file.path) }
            try requireSHA256(expected, of: file, naming: file.path)
        }
    }

    /// Throws `digestMismatch` naming `path` unless the file at `url` hashes to `expected`.
    private static func requireSHA256(_ expected: String, of url: URL, naming path: String) throws {
        let found = try FileManifest.digest(url)
        guard found == expected else { throw DispatchError.digestMismatch(path: path, expected: expected, found: found) }
    }
}

/// Checks the outputs a remote run returned before anything in them is used.
public enum ResultVerifier {
    /// Reads `outputDirectory/manifest.json` and checks every returned file against it: the file set
    /// exact, sizes and SHA-256 equal, no symbolic links, no path that escapes. Returns the manifest.
    @discardableResult
    public static func verify(outputDirectory: URL) throws -> FileManifest {
        let manifest = try FileManifest.read(from: outputDirectory)
        try ManifestVerifier.verify(outputDirectory, against: manifest)
        return manifest
    }
}
