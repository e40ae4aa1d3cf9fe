import QuenchDistributed
import QuenchModel
import QuenchTensor

extension Trainer {
    /// Mean loss over the validation rows, forward only. With several ranks, batch `i` is computed by
    /// rank `i % ranks`; each batch's loss is summed over the ranks (its own rank's value plus zeros,
    /// exactly) and the batches are then added in order, so every rank count reports the same bits.
    func validationLoss(_ validation: SequenceSet, _ workspace: Workspace, step: Int) throws -> Double {
        var losses: [Double] = [], scored = 0
        workspace.appliesDropout = false
        defer { workspace.appliesDropout = true }
        try validation.forEachBatch(batchSize: config.batchSize) { batch in
            let mine = losses.count % group.size == group.rank
            losses.append(0)
            if mine, let result = try bundle.model.forward(batch.tokens, workspace: workspace) {
                losses[losses.count - 1] = result.summedLoss
                scored += result.scoredTokens
            }
        }
        var sums = losses + [Double(scored)]
        try group.sum(&sums, Collective("validation loss", step: step))
        let total = sums.removeLast()
        return total == 0 ? 0 : sums.reduce(0, +) / total
    }
}
