import Foundation
import QuenchFiles
import QuenchSecurity

/// One line of `metrics.jsonl`: a training step, or a validation pass.
public struct StepMetrics: Codable, Sendable, Equatable {
    public let step: Int
    public let loss: Double
    public let learningRate: Double
    public let gradientNorm: Double
    public let tokensPerSecond: Double
    public let elapsedSeconds: Double
    public let epoch: Int
    /// Mean validation loss when this step ran validation.
    public let validationLoss: Double?

    enum CodingKeys: String, CodingKey {
        case step, loss, epoch
        case learningRate = "lr", gradientNorm = "grad_norm", tokensPerSecond = "tokens_per_second"
        case elapsedSeconds = "elapsed", validationLoss = "validation_loss"
    }
}

/// Appends metrics as JSON lines, flushing each, and shows progress: a live line on a terminal,
/// plain lines otherwise.
final class MetricsLog {
    private let handle: FileHandle
    private let interactive = isatty(STDERR_FILENO) == 1

    /// The newest step kept from an earlier attempt: what a resumed run that has no step left reports.
    private(set) var lastKept: StepMetrics?
    /// What starts every progress line ("[rank 0/2] " when several ranks train, else nothing).
    private let label: String

    /// Opens `url`, dropping lines past `step` (a resumed run rewrites what followed its checkpoint);
    /// progress lines start with `label`.
    init(url: URL, keepingThrough step: Int, label: String) throws {
        let (kept, last) = Self.kept(in: url, through: step)
        lastKept = last
        self.label = label
        try kept.write(to: url)
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    /// The lines of `url` up to `step`, and the newest of them.
    private static func kept(in url: URL, through step: Int) -> (lines: Data, last: StepMetrics?) {
        var kept = Data(), last: StepMetrics?
        if let existing = FileManager.default.contents(atPath: url.path) {
            for line in existing.split(separator: UInt8(ascii: "\n")) {
                if let metrics = try? JSONCoding.decoder.decode(StepMetrics.self, from: Data(line)), metrics.step <= step {
                    kept += line + [UInt8(ascii: "\n")]
                    last = metrics
                }
            }
        }
        return (kept, last)
    }

    func record(_ metrics: StepMetrics, totalSteps: Int) throws {
        try handle.write(contentsOf: JSONCoding.lineEncoder.encode(metrics) + Data("\n".utf8))
        let remaining = Double(totalSteps - metrics.step) * metrics.elapsedSeconds / Double(max(metrics.step, 1))
        var line = label + "step \(metrics.step)/\(totalSteps)  "
            + String(format: "loss %.4f  lr %.2e  grad %.3f  %.0f tok/s", metrics.loss, metrics.learningRate,
                     metrics.gradientNorm, metrics.tokensPerSecond)
            + "  ETA \(MetricsLog.duration(remaining))"
        if let validation = metrics.validationLoss { line += String(format: "  val %.4f", validation) }
        let text = interactive ? "\r\u{1B}[K" + line + (metrics.step == totalSteps ? "\n" : "") : line + "\n"
        StandardStream.error.write(text)
    }

    /// `seconds` as "1h05m" or "3m07s"; "?" when it is not a finite count of seconds an `Int` holds.
    static func duration(_ seconds: Double) -> String {
        guard let s = Int(exactly: seconds.rounded()), s >= 0 else { return "?" }
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return s >= 3600 ? "\(s / 3600)h\(twoDigits(s % 3600 / 60))m" : "\(s / 60)m\(twoDigits(s % 60))s"
    }
}
