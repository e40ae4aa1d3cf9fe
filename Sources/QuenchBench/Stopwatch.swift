import Foundation

/// Times a piece of work over several runs and keeps the median, which shrugs off the outliers of a
/// shared machine better than the mean.
public enum Stopwatch {
    /// Seconds taken by one call of `work`.
    public static func time(_ work: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try work()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Median seconds over `repeats` timed calls after one untimed warm-up call.
    public static func median(repeats: Int, _ work: () throws -> Void) rethrows -> Double {
        try work()
        var samples: [Double] = []
        for _ in 0..<max(1, repeats) { samples.append(try time(work)) }
        return median(of: samples)
    }

    /// Median of `samples` (mean of the middle two for an even count).
    public static func median(of samples: [Double]) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
