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
    /// Windows the model ran.
    public let windows: Int
    /// Positions the model ran: Σ window lengths, padding excluded (`window_positions`; records
    /// written before it had this name call it `tokens_read`). Not the set's token count: a token
    /// read by two overlapping windows (`stride=K`, the right-aligned last window of `disjoint`)
    /// counts twice, a document's last token is predicted but not read (except by `llama-cpp`, which
    /// reads whole chunks and skips the tail that fills none), and documents with no scored target
    /// are not run. `quench eval --per-token` writes one line per position.
    public let windowPositions: Int
    /// Wall-clock seconds of the forward passes, and window positions per second.
    public let seconds: Double
    public let tokensPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case windowing, context, perplexity, windows, seconds
        case summedNLL = "summed_nll", tokensScored = "tokens_scored", meanLoss = "mean_loss"
        case bitsPerByte = "bits_per_byte", bytesScored = "bytes_scored", standardError = "standard_error"
        case windowPositions = "window_positions", tokensPerSecond = "tokens_per_second"
    }

    /// The key records written before `window_positions` used for it.
    private enum LegacyKeys: String, CodingKey {
        case tokensRead = "tokens_read"
    }

    /// The result from accumulated sums: Σ nll, Σ nll², the count and bytes.
    package init(windowingName: String, context: Int, summed: Double, squares: Double, scored: Int, bytes: Int?,
                 windows: Int, windowPositions: Int, seconds: Double) {
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
        self.windowPositions = windowPositions
        self.seconds = seconds
        tokensPerSecond = seconds > 0 ? Double(windowPositions) / seconds : 0
    }

    /// Reads a result, its window positions under `window_positions` or, in older records, `tokens_read`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        windowing = try container.decode(String.self, forKey: .windowing)
        context = try container.decode(Int.self, forKey: .context)
        summedNLL = try container.decode(Double.self, forKey: .summedNLL)
        tokensScored = try container.decode(Int.self, forKey: .tokensScored)
        meanLoss = try container.decode(Double.self, forKey: .meanLoss)
        perplexity = try container.decode(Double.self, forKey: .perplexity)
        bitsPerByte = try container.decodeIfPresent(Double.self, forKey: .bitsPerByte)
        bytesScored = try container.decodeIfPresent(Int.self, forKey: .bytesScored)
        standardError = try container.decode(Double.self, forKey: .standardError)
        windows = try container.decode(Int.self, forKey: .windows)
        if let positions = try container.decodeIfPresent(Int.self, forKey: .windowPositions) {
            windowPositions = positions
        } else {
            windowPositions = try decoder.container(keyedBy: LegacyKeys.self).decode(Int.self, forKey: .tokensRead)
        }
        seconds = try container.decode(Double.self, forKey: .seconds)
        tokensPerSecond = try container.decode(Double.self, forKey: .tokensPerSecond)
    }

    /// One line for people: loss, perplexity with its interval, bits per byte, tokens, windowing.
    public var summary: String {
        let bpb = bitsPerByte.map { String(format: ", %.4f bits/byte", $0) } ?? ""
        return String(format: "loss %.4f ± %.4f, perplexity %.4f", meanLoss, standardError, perplexity)
            + "\(bpb), \(tokensScored) tokens scored (\(windowing), context \(context))"
    }
}
