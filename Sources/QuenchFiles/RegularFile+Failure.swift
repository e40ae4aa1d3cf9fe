#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RegularFile {
    /// Why a file was refused or could not be read; `path` names it, `reason` says what to do.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missing(path: String)
        case symbolicLink(path: String)
        case notRegular(path: String, type: String)
        case notOwned(path: String, owner: UInt32, user: UInt32)
        case tooOpen(path: String, mode: String)
        case tooLarge(path: String, size: Int64, limit: Int)
        case lineTooLong(path: String, line: Int, limit: Int)
        case notText(path: String)
        case changed(path: String)
        case system(path: String, errno: Int32)

        /// The file refused.
        public var path: String {
            switch self {
            case .missing(let path), .symbolicLink(let path), .notRegular(let path, _), .notOwned(let path, _, _),
                 .tooOpen(let path, _), .tooLarge(let path, _, _), .lineTooLong(let path, _, _), .notText(let path),
                 .changed(let path), .system(let path, _):
                return path
            }
        }

        /// What is wrong with the file and what to do, without the path.
        public var reason: String {
            switch self {
            case .missing:
                return "no such file or directory"
            case .symbolicLink:
                return "it is a symbolic link; point the setting at the file itself"
            case .notRegular(_, let type):
                return "it is \(type), not a regular file"
            case .notOwned(_, let owner, let user):
                return "it belongs to user id \(owner), not to the user running Quench (\(user)); "
                    + "a secret someone else controls is not a secret of yours"
            case .tooOpen(let path, let mode):
                return "it has mode \(mode), so other users may read it; run `chmod 600 \(path)`"
            case .tooLarge(_, let size, let limit):
                return "it holds \(size) bytes, more than the \(limit) this kind of file may"
            case .lineTooLong(_, let line, let limit):
                return "line \(line) is longer than \(limit) bytes"
            case .notText:
                return "it is not UTF-8 text"
            case .changed:
                return "the file shrank while being read"
            case .system(_, let code):
                let text = String(cString: strerror(code))
                return text.prefix(1).lowercased() + text.dropFirst()
            }
        }

        /// The `errno` behind a failed system call (ENOENT for a missing file), nil for a refusal.
        public var systemErrno: Int32? {
            switch self {
            case .missing: return ENOENT
            case .system(_, let code): return code
            default: return nil
            }
        }

        public var description: String { "\(path): \(reason)" }
    }
}
