import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A program's standard input held in an anonymous file rather than written through a pipe: the
/// program reads it at its own pace, and a program that dies before reading all of it (an ssh ended
/// by Ctrl-C) leaves nothing half-written on our side. A pipe writer that fails that way trips an
/// assertion in swift-subprocess and ends the whole process; a file cannot fail so.
enum InputFile {
    /// A descriptor positioned at the start of an unlinked file (its name is gone before anything is in it) holding
    /// `data`; `program` gets it as standard input and it is closed after the spawn.
    /// - Throws: `DispatchError.cannotStart` naming `program` when no such file can be made.
    static func holding(_ data: Data, for program: String) throws -> Subprocess.FileDescriptorInput {
        let descriptor = try anonymousFile(for: program)
        let written = data.withUnsafeBytes { bytes -> Bool in
            guard let base = bytes.baseAddress else { return true }
            var offset = 0
            while offset < bytes.count {
                let count = write(descriptor, base + offset, bytes.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        guard written, lseek(descriptor, 0, SEEK_SET) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw DispatchError.cannotStart(program: program, reason: "cannot hold its standard input: \(reason)")
        }
        return .fileDescriptor(FileDescriptor(rawValue: descriptor), closeAfterSpawningProcess: true)
    }

    /// A new file (mode 0600, from mkstemp) whose name is removed at once, so only this descriptor
    /// reaches it; close-on-exec, so only the program it is handed to inherits it.
    private static func anonymousFile(for program: String) throws -> Int32 {
        var template = Array((NSTemporaryDirectory() + "/quench-input-XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else {
            throw DispatchError.cannotStart(program: program,
                                            reason: "cannot hold its standard input: \(String(cString: strerror(errno)))")
        }
        unlink(template)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return descriptor
    }
}
