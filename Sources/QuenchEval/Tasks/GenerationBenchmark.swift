import Foundation
import QuenchGate
import QuenchModel
import QuenchTensor

/// `quench bench generate`: how fast a generative set is answered (prompts/s and generated tokens/s)
/// at several batch sizes, on the same prompts with the same greedy answers.
public enum GenerationBenchmark {
    /// One batch size's medians.
    public struct Run: Codable, Sendable {
        public let batchSize: Int
        public let promptsPerSecond: Double
        public let tokensPerSecond: Double
        /// Tokens generated per repeat (the same at every batch size: a check that the work was equal).
        public let generatedTokens: Int

        enum CodingKeys: String, CodingKey {
            case batchSize = "batch_size", promptsPerSecond = "prompts_per_second"
            case tokensPerSecond = "tokens_per_second", generatedTokens = "generated_tokens"
        }
    }

    /// What was measured.
    public struct Report: Codable, Sendable {
        public let model: String
        public let set: String
        public let prompts: Int
        public let maxNewTokens: Int
        public let precision: Precision
        public let repeats: Int
        public let runs: [Run]
        /// Whether every batch size produced the same answers as the first.
        public let sameAnswers: Bool
        public let peakResidentMegabytes: Double

        enum CodingKeys: String, CodingKey {
            case model, set, prompts, precision, repeats, runs
            case maxNewTokens = "max_new_tokens", sameAnswers = "same_answers"
            case peakResidentMegabytes = "peak_resident_megabytes"
        }

        /// A few lines for people, with each batch size's speed-up over the first.
        public func rendered() -> String {
            var lines = ["model \(model)",
                         "generation: \(prompts) prompts of \(set), up to \(maxNewTokens) new tokens, \(precision), median of \(repeats)"]
            for run in runs {
                let speedup = runs.first.map { $0.tokensPerSecond > 0 ? run.tokensPerSecond / $0.tokensPerSecond : 0 } ?? 1
                lines.append(String(format: "  batch %3d: %7.2f prompts/s  %8.1f tokens/s  (%.2fx)  %d tokens",
                                    run.batchSize, run.promptsPerSecond, run.tokensPerSecond, speedup, run.generatedTokens))
            }
            lines.append("  answers \(sameAnswers ? "identical" : "DIFFER") across batch sizes; peak RSS "
                         + String(format: "%.0f MB", peakResidentMegabytes))
            return lines.joined(separator: "\n")
        }
    }

    /// Answers `source` `repeats` times at each of `batchSizes` with `bundle`'s model in `precision`.
    /// - Throws: `EvalError` for bad settings or records, the generator's refusals.
    public static func run(bundle: ModelBundle, source: GenerativeSetSource, batchSizes: [Int], repeats: Int,
                           precision: Precision, peakResidentMegabytes: () -> Double,
                           progress: (String) -> Void = { _ in }) throws -> Report {
        guard repeats >= 1, !batchSizes.isEmpty else {
            throw EvalError.invalidSetting(key: "repeats, batch", reason: "need at least 1 repeat and one batch size")
        }
        try precision.requireSupport()
        try bundle.model.setPrecision(precision)
        let sets = try batchSizes.map { size in
            var sized = source
            sized.settings.batchSize = size
            try sized.check()
            return try ModelEvaluation.loadTasks([sized], bundle: bundle)[0]
        }
        var runs: [Run] = [], answers: [[String]] = []
        for set in sets {
            var results: [TaskResult] = []
            for index in 0..<repeats {
                let result = try TaskEvaluator.evaluate(model: bundle.model, set: set)
                results.append(result)
                progress("batch \(set.settings.batchSize), run \(index + 1)/\(repeats): "
                         + String(format: "%.1f tokens/s", result.tokensPerSecond))
            }
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            runs.append(Run(batchSize: set.settings.batchSize, promptsPerSecond: median(results.map(\.promptsPerSecond)),
                            tokensPerSecond: median(results.map(\.tokensPerSecond)),
                            generatedTokens: results[0].generatedTokens))
            answers.append(results[0].examples.map(\.answer))
        }
        return Report(model: bundle.location.lastPathComponent, set: source.file.lastPathComponent,
                      prompts: sets[0].examples.count, maxNewTokens: source.settings.maxNewTokens, precision: precision,
                      repeats: repeats, runs: runs, sameAnswers: answers.allSatisfy { $0 == answers[0] },
                      peakResidentMegabytes: peakResidentMegabytes())
    }
}
