import Foundation

/// Loss and perplexity of one model on one evaluation set, with everything needed to reproduce
/// and compare the number: the windowing, the context, how many tokens and bytes were scored.
public struct EvalResult: Codable, Sendable, Equatable {
    /// The windowing's name (`disjoint`, `llama-cpp`, `stride=K`).
    public let windowing: String
    /// Inputs per window.
    public let context: Int
    /// Σ −log p(target) over the scored tokens, in nats.
    public let summedNLL: Double
    public let tokensScored: Int
    /// summedNLL / tokensScored.
    public let meanLoss: Double
    /// exp(meanLoss).
    public let perplexity: Double
    /// summedNLL / (ln 2 · bytes of the scored tokens' text); nil when the set has no tokenizer.
    public let bitsPerByte: Double?
    /// UTF-8 bytes of the scored tokens (special tokens count 0).
    public let bytesScored: Int?
    /// Standard error of the mean loss, √(var / (n − 1)) as llama-perplexity computes it; its
    /// perplexity interval is perplexity · (1 ± standardError).
    public let standardError: Double
    /// Windows the model ran, and tokens it read (padding excluded).
    public let windows: Int
    public let tokensRead: Int
    /// Wall-clock seconds of the forward passes, and tokensRead per second.
    public let seconds: Double
    public let tokensPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case windowing, context, perplexity, windows, seconds
        case summedNLL = "summed_nll", tokensScored = "tokens_scored", meanLoss = "mean_loss"
        case bitsPerByte = "bits_per_byte", bytesScored = "bytes_scored", standardError = "standard_error"
        case tokensRead = "tokens_read", tokensPerSecond = "tokens_per_second"
    }

    /// The result from accumulated sums: Σ nll, Σ nll², the count and bytes.
    package init(windowingName: String, context: Int, summed: Double, squares: Double, scored: Int, bytes: Int?,
                 windows: Int, tokensRead: Int, seconds: Double) {
        self.windowing = windowingName
        self.context = context
        summedNLL = summed
        tokensScored = scored
        let mean = scored == 0 ? 0 : summed / Double(scored)
        meanLoss = mean
        perplexity = exp(mean)
        bytesScored = bytes
        bitsPerByte = bytes.flatMap { $0 > 0 ? summed / (Double($0) * M_LN2) : nil }
        let variance = scored == 0 ? 0 : max(squares / Double(scored) - mean * mean, 0)
        standardError = scored > 1 ? (variance / Double(scored - 1)).squareRoot() : 0
        self.windows = windows
        self.tokensRead = tokensRead
        self.seconds = seconds
        tokensPerSecond = seconds > 0 ? Double(tokensRead) / seconds : 0
    }

    /// One line for people: loss, perplexity with its interval, bits per byte, tokens, windowing.
    public var summary: String {
        let bpb = bitsPerByte.map { String(format: ", %.4f bits/byte", $0) } ?? ""
        return String(format: "loss %.4f ± %.4f, perplexity %.4f", meanLoss, standardError, perplexity)
            + "\(bpb), \(tokensScored) tokens scored (\(windowing), context \(context))"
    }
}
