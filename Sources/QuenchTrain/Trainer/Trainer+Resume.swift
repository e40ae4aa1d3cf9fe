import Foundation
import QuenchData
import QuenchDistributed

extension Trainer {
    /// Where the run starts: step 0 with `fresh` (refused when `checkpoints` already holds a
    /// checkpoint), or with `resume` the newest checkpoint's step and data cursor, its tensors and
    /// moments loaded into `state` (refused when the configuration hash changed, unless `force`).
    func startingPoint(resume: Bool, force: Bool, under checkpoints: URL, hash: String, totalSteps: Int,
               state: TrainableState, fresh: BatchIterator) throws -> (step: Int, iterator: BatchIterator) {
        let existing = try Checkpoint.latest(under: checkpoints)
        guard resume else {
            guard existing == nil else {
                throw TrainingError.invalidSetting(
                    key: "output", reason: "\(output.path) already holds checkpoints: pass --resume to continue, or choose a new output")
            }
            return (0, fresh)
        }
        guard let (checkpoint, folder) = existing else { throw TrainingError.nothingToResume(directory: checkpoints.path) }
        guard checkpoint.configHash == hash || force else {
            throw TrainingError.configChanged(checkpoint: folder.path, expected: checkpoint.configHash, found: hash)
        }
        try Self.check(checkpoint, in: folder, totalSteps: totalSteps, accumulation: config.gradientAccumulation)
        try checkpoint.restore(state, from: folder)
        try state.model.weightsChanged()
        do {
            return (checkpoint.step, try BatchIterator(sequences: fresh.sequences, batchSize: fresh.batchSize,
                                                       seed: fresh.seed, cursor: checkpoint.cursor))
        } catch let error as DatasetError {
            throw TrainingError.invalidCheckpoint(
                path: folder.appendingPathComponent(Checkpoint.stateFile).path, reason: "at key cursor: \(error)")
        }
    }

    /// The loss and validation loss of a finished run resumed (nothing is left to train, so its figures
    /// are the last step's). Rank 0 takes them from the lines `log` kept and hands them to the others
    /// in a sum with their zeros (exact), so no rank reads metrics.jsonl while rank 0 rewrites it.
    func finishedFigures(_ log: MetricsLog?, _ metricsURL: URL, totalSteps: Int) throws -> (loss: Double, validation: Double?) {
        // Whether rank 0 found them, the loss, whether there is a validation loss, the validation loss.
        var figures: [Double] = [0, 0, 0, 0]
        if let last = log?.lastKept, last.step == totalSteps {
            figures = [1, last.loss, last.validationLoss == nil ? 0 : 1, last.validationLoss ?? 0]
        }
        try group.sum(&figures, Collective("final figures"))
        guard figures[0] == 1 else {
            throw TrainingError.invalidCheckpoint(
                path: metricsURL.path, reason: "it has no line for step \(totalSteps), the step the checkpoint finished; "
                    + "the run's final loss cannot be reported (start without --resume to train again)")
        }
        return (figures[1], figures[2] == 1 ? figures[3] : nil)
    }

    /// Refuses a checkpoint this run cannot continue: one past `totalSteps` (max_steps was lowered),
    /// or whose data cursor is further on than its steps could have carried it.
    static func check(_ checkpoint: Checkpoint, in folder: URL, totalSteps: Int, accumulation: Int) throws {
        guard checkpoint.step <= totalSteps else {
            throw TrainingError.invalidSetting(
                key: "max_steps",
                reason: "the checkpoint \(folder.path) is at step \(checkpoint.step), past this run's \(totalSteps) steps; "
                    + "raise max_steps (or epochs) to at least \(checkpoint.step), or start without --resume")
        }
        // Each micro-batch advances the cursor by at most one epoch.
        guard checkpoint.cursor.epoch <= checkpoint.step * accumulation else {
            throw TrainingError.invalidCheckpoint(
                path: folder.appendingPathComponent(Checkpoint.stateFile).path,
                reason: "at key cursor.epoch: \(checkpoint.cursor.epoch) is more epochs than \(checkpoint.step) steps "
                    + "of \(accumulation) micro-batches can reach")
        }
    }
}
