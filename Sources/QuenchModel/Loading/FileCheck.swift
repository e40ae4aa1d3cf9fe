import Foundation
import Synchronization

/// A check of each model file's bytes before they are parsed, supplied by a caller that knows what
/// every file must hold (the job runner compares them with the sha256 its verify stage recorded).
///
/// Within `reading(_:)` every file QuenchModel opens (GGUF, safetensors shards and index, config.json,
/// tokenizer files, adapter files) is read whole into memory of its own, never mapped (a writer could
/// change mapped pages after the check), handed to the check, and parsed from those very bytes: a file
/// swapped on disk after the check cannot reach the model.
public struct FileCheck: Sendable {
    /// Throws when the bytes read from the file at the URL are not what it must hold.
    public typealias Check = @Sendable (URL, UnsafeRawBufferPointer) throws -> Void

    private let check: Check

    /// A check calling `check` for each file read.
    public init(_ check: @escaping Check) {
        self.check = check
    }

    /// Runs `body` with every file QuenchModel reads in it checked first.
    /// - Throws: the check's own error for the first file it refused, else `body`'s error.
    public func reading<R>(_ body: () throws -> R) throws -> R {
        let scope = FileCheckScope(check: check)
        do {
            return try FileCheckScope.$active.withValue(scope, operation: body)
        } catch {
            throw scope.firstRejection ?? error
        }
    }
}

/// One `FileCheck.reading` call: the check `MappedFile` applies, and the first error it threw (the
/// format readers wrap a refusal in their own errors, which carry only its text).
final class FileCheckScope: Sendable {
    /// The scope files opened on this task are checked by, if any.
    @TaskLocal static var active: FileCheckScope?

    private let check: FileCheck.Check
    private let rejection = Mutex<(any Error)?>(nil)

    init(check: @escaping FileCheck.Check) {
        self.check = check
    }

    /// The first error the check threw.
    var firstRejection: (any Error)? { rejection.withLock { $0 } }

    /// Has the check accept `bytes`, read from `path`.
    func inspect(path: String, bytes: UnsafeRawBufferPointer) throws(MappedFile.Failure) {
        do {
            try check(URL(fileURLWithPath: path), bytes)
        } catch {
            rejection.withLock { first in first = first ?? error }
            throw .rejected(reason: "\(error)")
        }
    }
}
