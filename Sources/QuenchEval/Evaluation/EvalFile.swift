import Foundation

/// The check every evaluation file gets before any model is loaded.
enum EvalFile {
    /// Throws `EvalError.unreadable` unless `file` exists and is not a directory.
    static func requireFile(_ file: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) else {
            throw EvalError.unreadable(file: file.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw EvalError.unreadable(file: file.path, reason: "it is a directory") }
    }
}
