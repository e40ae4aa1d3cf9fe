import QuenchModel
import QuenchTensor
import QuenchTokenizer

/// What one model's evaluation writes to a per-token log: the model's name in the lines, and the
/// tokenizer that spells the tokens.
struct PerTokenScope {
    let log: PerTokenLog
    /// `base` or `tuned`.
    let model: String
    let tokenizer: BPETokenizer

    /// Runs `model` over `batch` (rows `range` of `batcher`) with a target at every position that
    /// has a next token, writes one line per position, and returns the sums of the targets the set's
    /// loss counts (those `batch.targets` scores).
    /// - Throws: the model's errors; `EvalError.writeFailed` when a line cannot be written.
    func pass(model: CausalLM, batch: TokenBatch, rows range: Range<Int>, of batcher: WindowBatcher,
              workspace: Workspace) throws -> LossSums {
        let scoredTargets = batch.targets ?? []
        try model.forward(batcher.targetingEveryPosition(batch, rows: range), workspace: workspace)
        let losses = workspace.tokenLoss
        var sums = LossSums()
        try batcher.forEachPosition(rows: range) { slot in
            let window = batcher.windows[slot.window]
            let tokenID = slot.target.map { Int(batcher.set.documents[window.document].ids[$0]) }
            let scored = scoredTargets.indices.contains(slot.flat) && scoredTargets[slot.flat] != CrossEntropy.ignoreIndex
            let nll = tokenID == nil ? nil : Double(losses[slot.flat])
            if scored, let nll {
                sums.add(LossSums(summed: nll, squares: nll * nll, scored: 1))
            }
            try log.write(PerTokenRecord(
                model: self.model, set: batcher.set.name, document: window.document, window: slot.window,
                position: slot.position, inputID: Int(batch.inputs[slot.flat]), tokenID: tokenID,
                token: tokenID.flatMap(tokenizer.token(for:)),
                text: tokenID.flatMap(tokenizer.bytes(for:)).map { String(decoding: $0, as: UTF8.self) },
                nll: nll, scored: scored))
        }
        return sums
    }
}
