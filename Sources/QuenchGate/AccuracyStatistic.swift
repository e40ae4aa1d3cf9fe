import Foundation

/// An accuracy over examples: how many were right, of how many, the share, and its standard error.
public struct AccuracyStatistic: Codable, Sendable, Equatable {
    public let correct: Int
    public let count: Int
    /// correct / count (0 for no examples).
    public let accuracy: Double
    /// The standard error of the mean as lm-evaluation-harness's `mean_stderr` computes it: the sample
    /// standard deviation (n − 1) over √n, which for right/wrong scores is √(p(1 − p) / (n − 1)); 0 when n < 2.
    public let standardError: Double

    enum CodingKeys: String, CodingKey {
        case correct, count, accuracy
        case standardError = "standard_error"
    }

    /// The statistic of `correct` right answers among `count`.
    public init(correct: Int, count: Int) {
        self.correct = correct
        self.count = count
        let p = count > 0 ? Double(correct) / Double(count) : 0
        accuracy = p
        standardError = count > 1 ? (p * (1 - p) / Double(count - 1)).squareRoot() : 0
    }

    /// The statistic of a list of right/wrong scores.
    public init(_ scores: [Bool]) {
        self.init(correct: scores.filter { $0 }.count, count: scores.count)
    }

    /// "0.8125 ± 0.0570 (39/48)".
    public var summary: String {
        String(format: "%.4f ± %.4f (%d/%d)", accuracy, standardError, correct, count)
    }
}
