import Foundation
import QuenchFiles
import QuenchGate
import QuenchModel
import QuenchTensor
import QuenchData

/// `quench bench eval`: tokens per second of a whole evaluation (windowing, batching, forward
/// with loss, statistics) over a text stream, and the process's peak resident memory.
public enum EvalBenchmark {
    /// What was measured.
    public struct Report: Codable, Sendable {
        public let model: String
        public let windowing: String
        public let context: Int
        /// The precision the matrix products ran in.
        public let precision: Precision
        public let tokens: Int
        public let repeats: Int
        /// Median over the repeats of tokens read per second.
        public let tokensPerSecond: Double
        /// The last repeat's result (the same every repeat: a check that the work was real).
        public let result: EvalResult
        public let peakResidentMegabytes: Double

        enum CodingKeys: String, CodingKey {
            case model, windowing, context, precision, tokens, repeats, result
            case tokensPerSecond = "tokens_per_second", peakResidentMegabytes = "peak_resident_megabytes"
        }

        /// A few lines for people.
        public func rendered() -> String {
            """
            model \(model)
            evaluation: \(tokens) tokens, \(windowing), context \(context), \(precision), median of \(repeats)
              \(String(format: "%.1f", tokensPerSecond)) tokens/s   \(result.summary)
              peak RSS \(String(format: "%.0f", peakResidentMegabytes)) MB
            """
        }
    }

    /// Evaluates `bundle` `repeats` times on the first `maxTokens` tokens of `texts` (one stream).
    /// The model runs in `options.precision` (refused, before any text is read, on a CPU that cannot).
    /// - Parameter peakResidentMegabytes: reads the process's peak RSS after the runs.
    public static func run(bundle: ModelBundle, texts: [URL], options: EvalOptions, maxTokens: Int, repeats: Int,
                           peakResidentMegabytes: () -> Double, progress: (String) -> Void = { _ in }) throws -> Report {
        guard let tokenizer = bundle.tokenizer else { throw EvalError.noTokenizer(model: bundle.location.path) }
        guard repeats >= 1, maxTokens >= 2 else {
            throw EvalError.invalidSetting(key: "repeats, tokens", reason: "need at least 1 repeat and 2 tokens")
        }
        try options.requirePrecisionSupport()
        try bundle.model.setPrecision(options.precision)
        var ids: [Int32] = []
        for text in texts where ids.count < maxTokens {
            let data: Data
            do {
                data = try RegularFile.contents(of: text.path, limit: EvalSetSource.maximumTextBytes)
            } catch {
                throw EvalError.unreadable(file: text.path, reason: error.reason)
            }
            ids += try tokenizer.encode(String(decoding: data, as: UTF8.self)).map { Int32(truncatingIfNeeded: $0) }
        }
        ids = Array(ids.prefix(maxTokens))
        let set = TokenizedEvalSet(name: "benchmark", file: texts.first ?? bundle.location,
                                   documents: [TokenizedExample(ids: ids, scored: Array(repeating: true, count: ids.count))])
        var samples: [Double] = []
        var last: EvalResult?
        for index in 0..<repeats {
            let result = try Evaluator.evaluate(model: bundle.model, set: set, options: options)
            samples.append(result.tokensPerSecond)
            last = result
            progress("run \(index + 1)/\(repeats): \(Int(result.tokensPerSecond)) tokens/s")
        }
        guard let last else { throw EvalError.invalidSetting(key: "repeats", reason: "no run") }
        let sorted = samples.sorted()
        return Report(model: bundle.location.lastPathComponent, windowing: options.windowing.description,
                      context: options.context, precision: options.precision, tokens: ids.count, repeats: repeats,
                      tokensPerSecond: sorted[sorted.count / 2], result: last,
                      peakResidentMegabytes: peakResidentMegabytes())
    }
}
