import Foundation
import QuenchFiles

/// The file `quench eval --per-token` writes: one `PerTokenRecord` per line (JSON Lines), for every
/// position of every window of every set and model. Lines stream through a temporary file beside
/// the destination, which replaces it only when the whole evaluation succeeded: a failed or
/// interrupted run leaves the destination as it was and no partial file.
final class PerTokenLog {
    /// The file replaced on `commit`.
    let destination: URL
    /// Lines written so far.
    private(set) var lines = 0
    private let writer: AtomicFile.Writer
    private let encoder = JSONCoding.lineEncoder

    /// Opens the temporary file, before any model is read, so a bad path fails at once.
    /// - Parameter inputs: the files the evaluation reads, which the log must not replace.
    /// - Throws: `EvalError.writeFailed` naming `destination` when it is a directory, one of
    ///   `inputs` or inside one (a model directory), or its folder cannot be created or written.
    init(destination: URL, inputs: [URL]) throws {
        self.destination = destination
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw EvalError.writeFailed(path: destination.path, reason: "it is a directory; give a file path for the per-token lines")
        }
        let resolved = Self.resolved(destination)
        for input in inputs {
            let path = Self.resolved(input)
            if path == resolved || resolved.hasPrefix(path.hasSuffix("/") ? path : path + "/") {
                let what = path == resolved ? "it is" : "it lies in \(input.path),"
                throw EvalError.writeFailed(path: destination.path,
                                            reason: "\(what) one of the files this evaluation reads; give another path")
            }
        }
        do throws(AtomicFile.Failure) {
            writer = try AtomicFile.Writer(destination: destination)
        } catch {
            throw EvalError.writeFailed(path: destination.path, reason: error.reason)
        }
    }

    /// Appends `record` as one line.
    /// - Throws: `EvalError.writeFailed` when the temporary file cannot take it.
    func write(_ record: PerTokenRecord) throws {
        do {
            try writer.write(try encoder.encode(record))
            try writer.write([0x0A])
        } catch let failure as AtomicFile.Failure {
            throw EvalError.writeFailed(path: destination.path, reason: failure.reason)
        } catch {
            throw EvalError.writeFailed(path: destination.path, reason: "cannot encode a line: \(error)")
        }
        lines += 1
    }

    /// Syncs the lines and moves them to `destination`.
    /// - Throws: `EvalError.writeFailed` when the file cannot be synced or renamed.
    func commit() throws {
        do throws(AtomicFile.Failure) {
            try writer.commit()
        } catch {
            throw EvalError.writeFailed(path: destination.path, reason: error.reason)
        }
    }

    /// The path with symbolic links resolved, to compare files.
    private static func resolved(_ url: URL) -> String {
        url.standardizedFileURL.resolvingSymlinksInPath().path
    }
}
