import Foundation

/// Lists an artifact directory the same way for registering, signing and verifying.
public enum ArtifactDirectory {
    /// Relative paths of the regular files under `directory`, sorted; symbolic links are refused
    /// because they could point a signed name at unsigned content.
    public static func relativeFiles(in directory: URL) throws -> [String] {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RegistryError.artifactsUnreadable(path: directory.path, reason: "not a directory")
        }
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey, .isDirectoryKey], options: [])
        else {
            throw RegistryError.artifactsUnreadable(path: directory.path, reason: "cannot list it")
        }
        var paths: [String] = []
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in enumerator {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey, .isDirectoryKey])
            if values.isSymbolicLink == true {
                throw RegistryError.artifactsUnreadable(path: url.path, reason: "symbolic links are not allowed among artifacts")
            }
            guard values.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(prefix) else {
                throw RegistryError.artifactsUnreadable(path: path, reason: "outside \(root.path)")
            }
            let relative = String(path.dropFirst(prefix.count))
            paths.append(relative)
        }
        return paths.sorted()
    }
}
