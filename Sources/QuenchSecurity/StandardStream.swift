import Foundation

/// Writes to standard output or standard error without ever trapping.
///
/// `FileHandle.standardError.write(_:)` traps when the reader has gone (`quench train cfg 2>&1 | head`):
/// with SIGPIPE ignored, write(2) fails with EPIPE and Foundation turns that into a fatal error. Here a
/// closed stream ends the write quietly: nobody is left to read the text.
public enum StandardStream: Sendable {
    case output, error

    private var descriptor: Int32 { self == .output ? STDOUT_FILENO : STDERR_FILENO }

    /// Writes all of `text` unless the stream is closed or fails; returns whether every byte went out.
    @discardableResult
    public func write(_ text: String) -> Bool {
        if self == .output { fflush(nil) }  // text `print` buffered goes out first
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN {
                        var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&ready, 1, 1000)
                        continue
                    }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
