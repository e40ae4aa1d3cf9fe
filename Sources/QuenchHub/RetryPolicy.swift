import Foundation

/// A failure worth another attempt: 429, 5xx, or a broken connection. Carries the server's Retry-After.
struct RetryableFailure: Error {
    let url: String
    /// The HTTP status, or nil for a transport failure.
    let status: Int?
    let retryAfter: TimeInterval?
    let underlying: HubError?

    /// The error reported once the attempts are used up.
    func exhausted(attempts: Int) -> HubError {
        switch status {
        case 429?: return .rateLimited(url: url, attempts: attempts)
        case let status?: return .serverError(url: url, status: status, attempts: attempts)
        case nil: return underlying ?? .transport(url: url, reason: "failed \(attempts) times")
        }
    }
}

/// Bounded retries with exponential backoff that waits at least as long as the server's Retry-After.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all (1 = no retry).
    public var attempts: Int
    public var baseDelaySeconds: Double
    /// The longest wait; a Retry-After beyond it ends the retries instead of stalling the job.
    public var maxDelaySeconds: Double

    public init(attempts: Int = 5, baseDelaySeconds: Double = 1, maxDelaySeconds: Double = 60) {
        self.attempts = attempts
        self.baseDelaySeconds = baseDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
    }

    /// Runs `body` (given the attempt number from 1) until it succeeds, fails for good, or the attempts run out.
    /// Blocks the calling thread while waiting; it runs on a download thread.
    func run<T>(_ body: (Int) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body(attempt)
            } catch let failure as RetryableFailure {
                let backoff = min(maxDelaySeconds, baseDelaySeconds * pow(2, Double(attempt - 1)))
                let delay = failure.retryAfter.map { max($0, 0) } ?? backoff
                guard attempt < attempts, delay <= maxDelaySeconds else { throw failure.exhausted(attempts: attempt) }
                Thread.sleep(forTimeInterval: delay)
                attempt += 1
            }
        }
    }

    /// Seconds from a Retry-After value: delta-seconds or an HTTP date; nil when absent or unreadable.
    static func retryAfter(_ value: String?, now: Date = Date()) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return TimeInterval(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }
}
