/// Latencies of one timed run, in seconds, and the figures a benchmark reports from them.
public struct Latencies: Sendable {
    /// Every sample, unsorted.
    public let samples: [Double]
    /// Wall-clock seconds the run took.
    public let seconds: Double

    public init(samples: [Double], seconds: Double) {
        self.samples = samples
        self.seconds = seconds
    }

    /// Completed operations per second of wall-clock time.
    public var perSecond: Double { seconds > 0 ? Double(samples.count) / seconds : 0 }

    /// The `fraction` quantile (0 < fraction ≤ 1) by nearest rank, in milliseconds; 0 without samples.
    public func percentileMilliseconds(_ fraction: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1] * 1000
    }
}
