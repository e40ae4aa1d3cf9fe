import QuenchModel

/// Everything a training run holds at once, planned before it allocates: the model, what trains
/// (gradients and AdamW moments of the whole model, or LoRA adapters with theirs), the workspace and
/// the copies a checkpoint stages; checked together, so a run that would be killed for memory midway
/// is refused at the start naming the total, each part and the settings to lower.
enum TrainingMemory {
    /// The budget of training `model` under `config` on rows of `time` tokens, with `available` bytes
    /// free besides the loaded model (whose parameters are part of the budget); `microBatches` is how
    /// many micro-batches of a step this process computes (default: all of them, as one process does).
    static func budget(model: CausalLM, config: TrainingConfig, time: Int, available: Int,
                       microBatches: Int? = nil) throws -> MemoryBudget {
        let modelFloats = model.parameters.flat.count
        let (total, overflow) = available.addingReportingOverflow(modelFloats * MemoryLayout<Float>.stride)
        var budget = MemoryBudget(available: overflow ? .max : total)
        budget.add("model", floats: modelFloats)
        let trained: Int?
        var adapters: Workspace.AdapterPlan?
        switch config.method {
        case .full:
            trained = modelFloats
            budget.add("gradients", floats: trained)
        case .lora:
            let targets = try config.lora.adapterTargets(in: model)
            trained = LoRAAdapters.floats(targets: targets, useDoRA: config.lora.useDoRA)
            adapters = Workspace.AdapterPlan(targets: targets, dropout: config.lora.dropout > 0, useDoRA: config.lora.useDoRA)
            budget.add("LoRA adapters", floats: trained)
            budget.add("their gradients", floats: trained)
        }
        budget.add("AdamW moments", floats: times(2, trained))
        if (microBatches ?? config.gradientAccumulation) > 1 {
            // StepGradients sums micro-batches computed one by one from zero.
            budget.add("step gradient accumulator", floats: trained)
        }
        budget.add("workspace (\(config.batchSize) × \(time) tokens)",
                   floats: Workspace.plannedFloats(config: model.config, batch: config.batchSize, time: time,
                                                   training: true, adapters: adapters))
        // A checkpoint copies the trained tensors and both moments before writing them.
        budget.add("checkpoint staging", floats: times(3, trained))
        return budget
    }

    /// Refuses training that would not fit in `available` bytes besides the loaded model; with
    /// `ranksOnThisNode` ranks on this machine, each plans with that share of `available`.
    /// - Throws: `ModelError.exceedsMemory` naming the total, each part, the ranks sharing the
    ///   machine and the settings to lower.
    static func check(model: CausalLM, config: TrainingConfig, time: Int, available: Int, microBatches: Int? = nil,
                      ranksOnThisNode: Int = 1) throws {
        let ranks = max(ranksOnThisNode, 1)
        let lower = (config.method == .full
            ? "batch_size or data.max_sequence_length, or train with method: lora"
            : "batch_size, data.max_sequence_length or lora.rank (and lora.rank_pattern)")
            + ((microBatches ?? config.gradientAccumulation) > 1
                ? "; one micro-batch per process (gradient_accumulation equal to the rank count) needs no step accumulator" : "")
            + (ranks > 1 ? "; or start fewer ranks on this machine (tasks_per_node)" : "")
        let what = ranks > 1
            ? "training this model as one of the \(ranks) ranks on this machine (the free memory divided by \(ranks))"
            : "training this model"
        try budget(model: model, config: config, time: time, available: available / ranks, microBatches: microBatches)
            .check(what, lower: lower)
    }

    private static func times(_ factor: Int, _ floats: Int?) -> Int? {
        floats.flatMap { count in
            let (product, overflow) = count.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
    }
}
