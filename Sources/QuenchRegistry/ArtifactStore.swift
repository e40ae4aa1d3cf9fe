import Foundation
import QuenchFiles
import QuenchSecurity

/// The content-addressed artifact store under `$QUENCH_HOME`.
///
/// Each file is kept once under `objects/sha256/<2 hex>/<sha256>`, read-only; each version gets a
/// directory `models/<name>/<version>/` of hard links to its objects plus its `model.sig`.
struct ArtifactStore: Sendable {
    let home: QuenchHome

    var objects: URL { home.artifactObjects }
    var staging: URL { home.artifactStaging }

    /// The final directory of a version.
    func directory(name: String, version: Int) -> URL {
        home.models.appendingPathComponent(name).appendingPathComponent(String(version))
    }

    /// Copies `files` (relative to `source`; nil = every file) into the object store and lays
    /// them out in a fresh staging directory, hashing the copies so the record matches what is kept.
    func stage(source: URL, files: [String]?) throws -> (directory: URL, files: [ArtifactFile]) {
        let relativePaths = try files ?? ArtifactDirectory.relativeFiles(in: source)
        guard !relativePaths.isEmpty else {
            throw RegistryError.artifactsUnreadable(path: source.path, reason: "no files to register")
        }
        let staged = staging.appendingPathComponent(UUID().uuidString)
        do {
            var recorded: [ArtifactFile] = []
            for path in relativePaths.sorted() {
                guard Self.isSafeRelativePath(path), path != OpenSSFSigner.signatureFileName else {
                    throw RegistryError.artifactsUnreadable(path: path, reason: "not a plain relative path inside the artifact directory")
                }
                let object = try storeObject(from: source.appendingPathComponent(path))
                let target = staged.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                if link(objectURL(object.sha256).path, target.path) != 0 {
                    try FileManager.default.copyItem(at: objectURL(object.sha256), to: target)
                }
                recorded.append(ArtifactFile(path: path, sha256: object.sha256, size: object.size))
            }
            return (staged, recorded)
        } catch {
            try? FileManager.default.removeItem(at: staged)
            throw error
        }
    }

    /// Moves a staged directory to the version's final place, replacing an orphan left by a
    /// registration that crashed before its transaction committed.
    func place(_ staged: URL, name: String, version: Int) throws -> URL {
        let target = directory(name: name, version: version)
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.moveItem(at: staged, to: target)
        } catch {
            throw RegistryError.artifactsUnreadable(path: target.path, reason: "cannot move the staged artifacts into place: \(FileErrorText.reason(error))")
        }
        return target
    }

    private func objectURL(_ sha256: String) -> URL {
        objects.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    /// Copies one file into the store (unless its content is already there) and returns its hash.
    private func storeObject(from url: URL) throws -> (sha256: String, size: Int64) {
        let temporary = objects.appendingPathComponent(".incoming-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: objects, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: url, to: temporary)
        } catch {
            throw RegistryError.artifactsUnreadable(path: url.path, reason: FileErrorText.reason(error))
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        let sha256 = try FileDigest.sha256(of: temporary)
        let size = ((try? FileManager.default.attributesOfItem(atPath: temporary.path)[.size]) as? NSNumber)?.int64Value ?? 0
        let destination = objectURL(sha256)
        if !FileManager.default.fileExists(atPath: destination.path) {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = chmod(temporary.path, 0o444)
            guard rename(temporary.path, destination.path) == 0 else {
                throw RegistryError.artifactsUnreadable(path: destination.path, reason: String(cString: strerror(errno)))
            }
        }
        return (sha256, size)
    }

    private static func isSafeRelativePath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/").contains { $0 == ".." || $0 == "." }
    }
}
