import Foundation
import QuenchModel
import QuenchTensor

/// `quench bench forward`: tokens per second of a forward pass with loss over fixed windows of a
/// real model, and the process's peak resident memory.
public struct ForwardBenchmark {
    /// What was measured.
    public struct Report: Codable, Sendable {
        public let model: String
        public let window: Int
        public let batch: Int
        public let windows: Int
        public let repeats: Int
        /// The precision the matrix products ran in.
        public let precision: Precision
        /// Median tokens per second over the repeats.
        public let tokensPerSecond: Double
        /// Mean loss over all windows (a check that the work was real).
        public let meanLoss: Double
        public let peakResidentMegabytes: Double

        public func rendered() -> String {
            """
            model \(model)
            forward with loss: \(windows) windows of \(window) tokens, batch \(batch), \(precision), median of \(repeats)
              \(String(format: "%.1f", tokensPerSecond)) tokens/s   mean loss \(String(format: "%.4f", meanLoss))
              peak RSS \(String(format: "%.0f", peakResidentMegabytes)) MB
            """
        }
    }

    let model: CausalLM
    let modelName: String
    let tokens: [Int32]
    let window: Int
    let batch: Int
    let repeats: Int
    let precision: Precision

    /// Windows of `window + 1` tokens cut from `tokens` (inputs and their next-token targets), run
    /// with `model`'s products in `precision`.
    public init(model: CausalLM, modelName: String, tokens: [Int32], window: Int = 512, batch: Int = 1, repeats: Int = 3,
                precision: Precision = .fp32) {
        (self.model, self.modelName, self.tokens) = (model, modelName, tokens)
        (self.window, self.batch, self.repeats, self.precision) = (window, batch, repeats, precision)
    }

    /// Debian's license texts: English prose present on every Debian machine.
    public static func defaultTexts() throws -> [URL] {
        let folder = URL(fileURLWithPath: "/usr/share/common-licenses")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return names.map { folder.appendingPathComponent($0) }.filter {
            (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        }
    }

    /// Times `repeats` forward passes over every batch of windows and reports the median rate.
    /// - Throws: `TensorError.invalidArgument` naming the option when window is below 2, batch or
    ///   repeats below 1, or the tokens fill no batch; `TensorError.precisionUnavailable` for bf16 on
    ///   a CPU without bf16 arithmetic.
    public func run(progress: (String) -> Void = { _ in }) throws -> Report {
        guard window >= 2, window < .max, batch >= 1, repeats >= 1 else {
            throw TensorError.invalidArgument(
                operation: "bench forward",
                detail: "--window \(window) must be at least 2, --batch \(batch) and --repeats \(repeats) at least 1")
        }
        let (perBatch, overflow) = batch.multipliedReportingOverflow(by: window + 1)
        let batches = overflow ? 0 : tokens.count / perBatch
        guard batches > 0 else {
            throw TensorError.invalidArgument(
                operation: "bench forward",
                detail: "\(tokens.count) tokens are fewer than one batch of \(batch) windows of \(window + 1)")
        }
        try model.setPrecision(precision)
        let workspace = try Workspace(config: model.config, batch: batch, time: window, training: false)
        var samples: [Double] = []
        var summed = 0.0, scored = 0
        for repeatIndex in 0..<repeats {
            (summed, scored) = (0, 0)
            let seconds = try Stopwatch.time {
                for b in 0..<batches {
                    var inputs: [Int32] = [], targets: [Int32] = []
                    for row in 0..<batch {
                        let start = (b * batch + row) * (window + 1)
                        inputs += tokens[start..<(start + window)]
                        targets += tokens[(start + 1)..<(start + window + 1)]
                    }
                    let batchInput = TokenBatch(batch: batch, time: window, inputs: inputs, targets: targets)
                    if let result = try model.forward(batchInput, workspace: workspace) {
                        summed += result.summedLoss
                        scored += result.scoredTokens
                    }
                }
            }
            let rate = Double(batches * batch * window) / seconds
            samples.append(rate)
            progress("run \(repeatIndex + 1)/\(repeats): \(String(format: "%.0f", rate)) tokens/s")
        }
        return Report(
            model: modelName, window: window, batch: batch, windows: batches * batch, repeats: repeats, precision: precision,
            tokensPerSecond: Stopwatch.median(of: samples), meanLoss: scored == 0 ? 0 : summed / Double(scored),
            peakResidentMegabytes: PeakMemory.residentMegabytes())
    }
}

/// The process's peak resident set size.
public enum PeakMemory {
    /// Peak RSS in megabytes (getrusage reports kilobytes on Linux).
    public static func residentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
