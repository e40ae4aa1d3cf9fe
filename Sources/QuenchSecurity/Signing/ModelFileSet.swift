#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import QuenchFiles

/// The files a model signature covers, chosen exactly as model_signing's default "files" serialization chooses them.
///
/// Every regular file under the directory, hidden ones included, except those under an ignored path. Ignored paths
/// are relative to the directory and match whole leading path components (`.git` ignores `.git/HEAD`, not
/// `sub/.git`). Symbolic links and special files anywhere, even under ignored paths, are errors: model_signing's
/// default (`allow_symlinks=false`) refuses them, and following them would sign content outside the directory.
enum ModelFileSet {
    /// What model_signing ignores by default: its git paths plus the signature file itself.
    static let defaultIgnoredPaths = [".git", ".gitattributes", ".github", ".gitignore", signatureFileName]
    /// The signature's file name, next to the artifacts.
    static let signatureFileName = "model.sig"

    /// Slash-separated relative paths of the covered files, in model_signing's order (component by component).
    static func list(directory: URL, ignoring ignoredPaths: [String]) throws -> [String] {
        let root = directory.path
        guard try SigningFileIO.fileType(atPath: root) == S_IFDIR else { throw SigningError.notADirectory(path: root) }
        let ignored = ignoredPaths.compactMap(components(ofIgnoredPath:))
        var files: [[String]] = []
        var pending: [[String]] = [[]]
        while let relative = pending.popLast() {
            let absolute = ([root] + relative).joined(separator: "/")
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: absolute)
            } catch {
                throw SigningError.unreadable(path: absolute, reason: FileErrorText.reason(error))
            }
            for name in names {
                let child = relative + [name]
                let childPath = absolute + "/" + name
                switch try SigningFileIO.fileType(atPath: childPath) {
                case S_IFDIR: pending.append(child)
                case S_IFREG: if !ignored.contains(where: { child.starts(with: $0) }) { files.append(child) }
                case S_IFLNK: throw SigningError.symlinkRefused(path: childPath)
                case .none: throw SigningError.unreadable(path: childPath, reason: "it disappeared while the directory was listed")
                default: throw SigningError.specialFileRefused(path: childPath)
                }
            }
        }
        files.sort(by: componentsPrecede)
        return files.map { $0.joined(separator: "/") }
    }

    /// model_signing's order for slash-separated paths: component by component, by Unicode scalar value.
    static func precedes(_ left: String, _ right: String) -> Bool {
        componentsPrecede(left.split(separator: "/").map(String.init), right.split(separator: "/").map(String.init))
    }

    private static func componentsPrecede(_ left: [String], _ right: [String]) -> Bool {
        left.lexicographicallyPrecedes(right) { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    /// The components of an ignored path, or nil for one that cannot name anything inside the directory.
    static func components(ofIgnoredPath path: String) -> [String]? {
        guard !path.hasPrefix("/") else { return nil }
        let parts = path.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !parts.isEmpty, !parts.contains("..") else { return nil }
        return parts
    }

    /// Whether `name` from a statement is a plain relative path: no empty, `.` or `..` component, not absolute.
    static func isPlainRelativePath(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\0") }
    }
}
