import Foundation

/// Writes to standard output or standard error without ever trapping or hanging.
///
/// `FileHandle.standardError.write(_:)` traps when the reader has gone (`quench train cfg 2>&1 | head`):
/// with SIGPIPE ignored, write(2) fails with EPIPE and Foundation turns that into a fatal error. Here a
/// closed stream ends the write quietly: nobody is left to read the text. A non-blocking stream whose
/// reader stops reading is waited on for at most `stallLimit` without progress, then given up the same way.
public enum StandardStream: Sendable {
    case output, error

    /// How long a write waits for a full non-blocking stream to drain before giving up.
    public static let stallLimit: Duration = .seconds(10)

    private var descriptor: Int32 { self == .output ? STDOUT_FILENO : STDERR_FILENO }

    /// Writes all of `text` unless the stream is closed, fails or stalls; returns whether every byte went out.
    @discardableResult
    public func write(_ text: String) -> Bool {
        if self == .output { fflush(nil) }  // text `print` buffered goes out first
        return StandardStream.write(text, to: descriptor, stallLimit: StandardStream.stallLimit)
    }

    /// Writes `text` to `descriptor`, retrying interrupted and partial writes, and waiting on a full
    /// non-blocking descriptor until no byte has gone out for `stallLimit`.
    static func write(_ text: String, to descriptor: Int32, stallLimit: Duration) -> Bool {
        let clock = ContinuousClock()
        var lastProgress = clock.now
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    guard errno == EAGAIN, clock.now - lastProgress < stallLimit else { return false }
                    var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, 100)
                    continue
                }
                offset += written
                lastProgress = clock.now
            }
            return true
        }
    }
}
