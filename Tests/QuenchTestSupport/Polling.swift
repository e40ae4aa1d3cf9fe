import Foundation

/// Waiting for something another process does.
public enum Polling {
    /// Polls `condition` every 50 ms until it holds or `seconds` pass; whether it held.
    public static func waitUntil(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try condition()
    }
}
