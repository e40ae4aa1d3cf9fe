import Foundation

/// Lists a directory tree without following symbolic links, so a link planted in a returned result
/// can never make Quench read or trust a file outside it.
enum DirectoryWalk {
    /// Relative paths (`/`-separated, sorted) of every regular file under `root`, skipping top-level
    /// entries named in `excluding`; throws on symbolic links and special files.
    static func regularFiles(under root: URL, excluding: Set<String> = []) throws -> [String] {
        var result: [String] = []
        try walk(root, relative: "", excluding: excluding, into: &result)
        return result.sorted()
    }

    private static func walk(_ directory: URL, relative: String, excluding: Set<String>, into result: inout [String]) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw DispatchError.fileFailed(path: directory.path, reason: "cannot list it: \(error.localizedDescription)")
        }
        for name in names.sorted() {
            if relative.isEmpty, excluding.contains(name) { continue }
            let path = relative.isEmpty ? name : relative + "/" + name
            let url = directory.appendingPathComponent(name)
            switch try kind(of: url) {
            case .directory: try walk(url, relative: path, excluding: [], into: &result)
            case .regular: result.append(path)
            case .other: throw DispatchError.notARegularFile(path: path)
            }
        }
    }

    enum Kind { case regular, directory, other }

    /// The kind of the entry itself (lstat), never of what a link points to.
    static func kind(of url: URL) throws -> Kind {
        var info = stat()
        guard lstat(url.path, &info) == 0 else {
            throw DispatchError.fileFailed(path: url.path, reason: String(cString: strerror(errno)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The regular file `url` names: itself, or for a symbolic link (a hub snapshot's files link into
    /// its blob store) the file the link resolves to; nil for anything else. Only for sources on this
    /// machine that the user chose: returned results are never read through links.
    static func regularFileFollowingLink(_ url: URL) throws -> URL? {
        switch try kind(of: url) {
        case .regular: return url
        case .directory: return nil
        case .other:
            let target = url.resolvingSymlinksInPath()
            return target.path != url.path && (try? kind(of: target)) == .regular ? target : nil
        }
    }

    /// The size of a regular file (lstat).
    static func size(of url: URL) throws -> Int64 {
        try regularFileSize(url, missing: .fileFailed(path: url.path, reason: "it does not exist"))
    }

    /// The size of `url`, throwing `missing` when absent and `notARegularFile` when it is a link or special file.
    static func regularFileSize(_ url: URL, missing: DispatchError) throws -> Int64 {
        var info = stat()
        guard lstat(url.path, &info) == 0 else {
            if errno == ENOENT { throw missing }
            throw DispatchError.fileFailed(path: url.path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw DispatchError.notARegularFile(path: url.path) }
        return Int64(info.st_size)
    }
}
