/// How a generated sequence ended.
public enum SequenceEnd: String, Sendable, Equatable {
    /// The model produced one of the stop tokens (not included in the sequence).
    case stopToken
    /// The caller's `shouldStop` said so after the last token.
    case caller
    /// `maxNewTokens` tokens were generated.
    case length
}

/// One prompt's greedy continuation.
public struct GeneratedSequence: Sendable, Equatable {
    /// The generated ids, without the stop token.
    public let tokens: [Int32]
    public let end: SequenceEnd

    public init(tokens: [Int32], end: SequenceEnd) { (self.tokens, self.end) = (tokens, end) }
}

/// Greedy generation for many prompts at once over a key/value cache: prompts of similar length
/// share a batch, prefilled in one forward pass and decoded one step at a time together.
public struct GreedyBatchGenerator {
    let model: CausalLM
    let batchSize: Int
    /// Bytes the cache and the prefill workspace may take together.
    let availableMemory: Int

    /// A generator running up to `batchSize` prompts of `model` together within `availableMemory`
    /// bytes (default: what the system reports available).
    public init(model: CausalLM, batchSize: Int, availableMemory: Int = MemoryBudget.availableBytes()) {
        (self.model, self.batchSize, self.availableMemory) = (model, batchSize, availableMemory)
    }

    /// Greedy continuations of every prompt, returned in prompt order.
    ///
    /// Prompts are sorted by length (ties in prompt order) and cut into batches of `batchSize`; each
    /// batch is prefilled in one right-padded forward pass, then decoded one step at a time for all
    /// its unfinished rows together (one matrix product per projection with a row per sequence).
    /// Greedy picks the highest logit, ties to the lowest id, as `TokenSampler` at temperature 0.
    /// A row ends when it produces a token in `stopTokens` (not included; `.stopToken`), when
    /// `shouldStop(promptIndex, tokensSoFar)` returns true after a token was appended (`.caller`),
    /// or after `maxNewTokens` tokens (`.length`); finished rows drop out of later steps.
    /// `progress(finishedPrompts)` is called after each batch.
    /// - Throws: `BatchGenerationError` naming the prompt for an empty prompt, one whose length plus
    ///   `maxNewTokens` exceeds the model's positions or one with an id outside the vocabulary, or for
    ///   a batch size or `maxNewTokens` below 1; `ModelError.exceedsMemory` (before allocating) when
    ///   the cache and the prefill workspace do not fit, naming batch_size and max_new_tokens;
    ///   `TensorError.invalidArgument` when the model has unmerged LoRA adapters.
    public func generate(prompts: [[Int32]], maxNewTokens: Int, stopTokens: Set<Int32>,
                         shouldStop: (_ prompt: Int, _ generated: [Int32]) -> Bool = { _, _ in false },
                         progress: (_ finished: Int) -> Void = { _ in }) throws -> [GeneratedSequence] {
        try check(prompts, maxNewTokens: maxNewTokens)
        try model.requireMergedAdapters()
        guard let longest = prompts.map(\.count).max() else { return [] }
        let rows = min(batchSize, prompts.count), capacity = longest + maxNewTokens
        var budget = MemoryBudget(available: availableMemory)
        budget.add("cache of \(rows) sequences × \(capacity) positions",
                   floats: BatchDecodeState.plannedFloats(config: model.config, rows: rows, capacity: capacity))
        budget.add("prefill workspace of \(rows) prompts × \(longest) tokens",
                   floats: Workspace.plannedFloats(config: model.config, batch: rows, time: longest, training: false,
                                                   lossChunkRows: 1))
        try budget.check("generating \(prompts.count) prompts in batches of \(batchSize)",
                         lower: "batch_size or max_new_tokens")
        let state = try BatchDecodeState(config: model.config, rows: rows, capacity: capacity,
                                         lower: "batch_size or max_new_tokens")
        let order = prompts.indices.sorted { (prompts[$0].count, $0) < (prompts[$1].count, $1) }
        var results = [GeneratedSequence?](repeating: nil, count: prompts.count)
        var finished = 0
        for start in stride(from: 0, to: order.count, by: rows) {
            let batch = Array(order[start..<min(start + rows, order.count)])
            state.reset()
            try model.prefill(batch.map { prompts[$0] }, state: state)
            let sequences = try decode(batch, state: state, maxNewTokens: maxNewTokens, stopTokens: stopTokens,
                                       shouldStop: shouldStop)
            for (prompt, sequence) in zip(batch, sequences) { results[prompt] = sequence }
            finished += batch.count
            progress(finished)
        }
        return results.compactMap { $0 }
    }

    /// Decodes the prefilled `batch` (slot i holds prompt `batch[i]`) until every row has ended.
    private func decode(_ batch: [Int], state: BatchDecodeState, maxNewTokens: Int, stopTokens: Set<Int32>,
                        shouldStop: (Int, [Int32]) -> Bool) throws -> [GeneratedSequence] {
        var generated = [[Int32]](repeating: [], count: batch.count)
        var ends = [SequenceEnd](repeating: .length, count: batch.count)
        var active = Array(batch.indices)
        while !active.isEmpty {
            var next: [Int32] = [], continuing: [Int] = []
            for (row, slot) in active.enumerated() {
                let token = Int32(GreedyBatchGenerator.greedyToken(try state.logits(row: row)))
                if stopTokens.contains(token) {
                    ends[slot] = .stopToken
                    continue
                }
                generated[slot].append(token)
                if shouldStop(batch[slot], generated[slot]) {
                    ends[slot] = .caller
                } else if generated[slot].count < maxNewTokens {
                    next.append(token)
                    continuing.append(slot)
                }
            }
            active = continuing
            if !active.isEmpty { try model.step(tokens: next, slots: active, state: state) }
        }
        return zip(generated, ends).map { GeneratedSequence(tokens: $0, end: $1) }
    }

    /// Refuses settings below 1 and prompts that are empty, too long or hold ids outside the vocabulary.
    private func check(_ prompts: [[Int32]], maxNewTokens: Int) throws {
        guard batchSize >= 1 else { throw BatchGenerationError.notPositive(name: "batch_size", value: batchSize) }
        guard maxNewTokens >= 1 else { throw BatchGenerationError.notPositive(name: "max_new_tokens", value: maxNewTokens) }
        let (positions, vocabulary) = (model.config.maxPositions, model.config.vocabularySize)
        for (index, prompt) in prompts.enumerated() {
            guard !prompt.isEmpty else { throw BatchGenerationError.emptyPrompt(prompt: index) }
            // Compared without adding, so no max_new_tokens can overflow.
            guard maxNewTokens <= positions - prompt.count else {
                throw BatchGenerationError.tooLong(prompt: index, promptTokens: prompt.count, maxNewTokens: maxNewTokens,
                                                   positions: positions)
            }
            if let token = prompt.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
                throw BatchGenerationError.tokenOutOfRange(prompt: index, token: token, vocabulary: vocabulary)
            }
        }
    }

    /// The index of the highest logit, the lowest index among equals: the same comparisons as
    /// `TokenSampler`'s greedy choice (`max(by:)`), so both pick the same token.
    static func greedyToken(_ logits: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        for index in logits.indices.dropFirst() where logits[best] < logits[index] { best = index }
        return best
    }
}
