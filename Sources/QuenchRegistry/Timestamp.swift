import Foundation

/// Registry times: ISO 8601 in UTC with milliseconds, sortable as text and readable in the audit log.
enum Timestamp {
    /// `date` as `2025-01-31T12:34:56.789Z`.
    static func string(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
