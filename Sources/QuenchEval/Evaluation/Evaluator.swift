import Foundation
import QuenchGate
import QuenchModel
import QuenchTensor

/// How an evaluation cuts and batches its windows.
public struct EvalOptions: Sendable, Equatable {
    public var windowing: Windowing
    /// Inputs per window (the model's context for this evaluation).
    public var context: Int
    /// Rows per forward pass; nil: enough rows for about `defaultTokensPerPass` tokens.
    public var batchSize: Int?
    /// The models' matrix products: fp32 (the default, and always for a job's gate: the reproducible
    /// reference), or bf16 mixed precision.
    public var precision: Precision

    /// Tokens one forward pass holds when no batch size is given: one 512-token window, or many
    /// short ones, which keeps the inference workspace near its single-window size.
    public static let defaultTokensPerPass = 512

    /// Options; defaults: disjoint windows of 512 tokens, in fp32.
    public init(windowing: Windowing = .disjoint, context: Int = 512, batchSize: Int? = nil, precision: Precision = .fp32) {
        self.windowing = windowing
        self.context = context
        self.batchSize = batchSize
        self.precision = precision
    }
}

/// Runs a model over an evaluation set: plans the windows, packs and batches them, and sums the
/// loss of exactly the scored targets with the model's batched forward pass (the trainer's).
public enum Evaluator {
    /// Loss, perplexity and bits per byte of `model` (with its adapters, if any) on `set`.
    /// - Throws: `EvalError.invalidSetting` for a context the model cannot hold or a bad stride or
    ///   batch size, `.emptySet` when no target is scored, or the model's errors.
    public static func evaluate(model: CausalLM, set: TokenizedEvalSet, options: EvalOptions) throws -> EvalResult {
        try evaluate(model: model, set: set, options: options, perToken: nil)
    }

    /// As `evaluate(model:set:options:)`, also writing every window position's line to `perToken`:
    /// the passes then compute the NLL of every next token, and the result sums the scored ones.
    static func evaluate(model: CausalLM, set: TokenizedEvalSet, options: EvalOptions,
                         perToken: PerTokenScope?) throws -> EvalResult {
        let windows = try plan(set: set, options: options, maxPositions: model.config.maxPositions)
        let batcher = WindowBatcher(set: set, windows: windows)
        let rowsPerPass = try batchSize(options, time: batcher.time, rows: batcher.rows.count)
        let workspace = try Workspace(config: model.config, batch: rowsPerPass, time: batcher.time, training: false,
                                      adapters: model.adapters)
        var sums = LossSums(), bytes: Int? = set.tokenByteCounts == nil ? nil : 0
        let started = Date()
        for first in stride(from: 0, to: batcher.rows.count, by: rowsPerPass) {
            let rows = first..<min(first + rowsPerPass, batcher.rows.count)
            let (batch, batchBytes) = batcher.batch(rows: rows, batchSize: rowsPerPass)
            if let batchBytes { bytes = (bytes ?? 0) + batchBytes }
            if let perToken {
                sums.add(try perToken.pass(model: model, batch: batch, rows: rows, of: batcher, workspace: workspace))
            } else if let result = try model.forward(batch, workspace: workspace) {
                sums.add(LossSums(summed: result.summedLoss, squares: sumOfSquares(workspace.tokenLoss),
                                  scored: result.scoredTokens))
            }
        }
        let seconds = Date().timeIntervalSince(started)
        guard sums.scored > 0 else {
            throw EvalError.emptySet(file: set.file.path, reason: "its mask scores none of the windowed tokens")
        }
        return EvalResult(windowing: options.windowing, context: options.context, summed: sums.summed, squares: sums.squares,
                          scored: sums.scored, bytes: bytes, windows: windows.count,
                          windowPositions: windows.reduce(0) { $0 + $1.length }, seconds: seconds)
    }

    /// The windows of every document that score at least one target.
    /// - Throws: `EvalError.emptySet` when there are none; `.invalidSetting` for a bad context or stride.
    public static func plan(set: TokenizedEvalSet, options: EvalOptions, maxPositions: Int) throws -> [EvalWindow] {
        try options.windowing.validate(context: options.context)
        guard options.context <= maxPositions else {
            throw EvalError.invalidSetting(
                key: "context", reason: "\(options.context) tokens exceed the model's \(maxPositions) positions")
        }
        var windows: [EvalWindow] = []
        for (index, document) in set.documents.enumerated() {
            let count = min(document.ids.count, document.scored.count)
            let bos = options.windowing == .llamaCpp ? set.bos : nil
            windows += WindowPlanner.windows(document: index, count: count, windowing: options.windowing,
                                             context: options.context, bos: bos)
                .filter { window in window.scored.contains { document.scored[window.start + $0 + 1] } }
        }
        guard !windows.isEmpty else {
            let tokens = set.documents.reduce(0) { $0 + $1.ids.count }
            let longest = set.documents.map(\.ids.count).max() ?? 0
            let reason = options.windowing == .llamaCpp
                ? "no document holds a full \(options.context)-token chunk (\(set.documents.count) document(s), the longest "
                    + "\(longest) tokens; llama-perplexity wants at least two chunks)"
                : "\(set.documents.count) document(s) of \(tokens) tokens leave no scored target"
            throw EvalError.emptySet(file: set.file.path, reason: reason)
        }
        return windows
    }

    private static func batchSize(_ options: EvalOptions, time: Int, rows: Int) throws -> Int {
        if let size = options.batchSize, size < 1 {
            throw EvalError.invalidSetting(key: "batch_size", reason: "\(size) rows; give at least 1")
        }
        let wanted = options.batchSize ?? max(1, EvalOptions.defaultTokensPerPass / time)
        return max(1, min(wanted, rows))
    }

    /// Σ x² of the per-token losses (0 where unscored), for the standard error.
    private static func sumOfSquares(_ values: [Float]) -> Double {
        values.withUnsafeBufferPointer { buffer in
            var total = 0.0
            for value in buffer { total += Double(value) * Double(value) }
            return total
        }
    }
}
