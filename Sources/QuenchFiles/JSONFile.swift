import Foundation

/// Reads a JSON file whole through `RegularFile` (a FIFO or device is refused at once, a file over
/// the limit is refused unread) and decodes it, failing with the file named and, for a damaged one,
/// the key path, the line and column, or the number at fault (`JSONErrorText`).
public enum JSONFile {
    /// Why a JSON file gave no value.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The file could not be opened or read: missing, not a regular file, too large, ...
        case unreadable(RegularFile.Failure)
        /// The bytes are not JSON of the expected shape; `reason` names the key or position.
        case invalid(path: String, reason: String)

        /// The file at fault.
        public var path: String {
            switch self {
            case .unreadable(let failure): return failure.path
            case .invalid(let path, _): return path
            }
        }

        /// What is wrong, without the path.
        public var reason: String {
            switch self {
            case .unreadable(let failure): return failure.reason
            case .invalid(_, let reason): return reason
            }
        }

        public var description: String { "\(path): \(reason)" }
    }

    /// The value of type `T` in the file at `url`, at most `limit` bytes, read with `decoder`.
    public static func read<T: Decodable>(
        _ type: T.Type, from url: URL, limit: Int, decoder: JSONDecoder = JSONCoding.decoder
    ) throws(Failure) -> T {
        let data: Data
        do {
            data = try RegularFile.contents(of: url.path, limit: limit)
        } catch {
            throw .unreadable(error)
        }
        return try decode(type, from: data, path: url.path, decoder: decoder)
    }

    /// The value of type `T` in `data`, the contents of the file at `path` (named in the failure).
    public static func decode<T: Decodable>(
        _ type: T.Type, from data: Data, path: String, decoder: JSONDecoder = JSONCoding.decoder
    ) throws(Failure) -> T {
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw .invalid(path: path, reason: JSONErrorText.describe(error, in: data) {
                (try? decoder.decode(T.self, from: $0)) == nil
            })
        }
    }
}
