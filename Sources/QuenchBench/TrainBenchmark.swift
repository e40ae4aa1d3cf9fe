import Foundation
import QuenchDistributed
import QuenchModel
import QuenchTensor
import QuenchTrain

/// `quench bench train`: tokens per second of training steps (forward, backward, AdamW) on a real
/// model, full fine-tuning or LoRA, and the process's peak resident memory. Under `mpirun` every
/// rank computes its share of the batch's rows and the gradients are summed over the ranks as in
/// training (buckets sent while backward runs), so the figure is the global batch's tokens per
/// second (strong scaling).
public struct TrainBenchmark {
    /// What was measured.
    public struct Report: Codable, Sendable {
        public let model: String
        public let method: String
        public let batch: Int
        public let time: Int
        public let steps: Int
        /// Ranks that computed the batch together (1 alone).
        public let ranks: Int
        /// The precision the matrix products ran in.
        public let precision: Precision
        /// Median tokens per second over the timed steps.
        public let tokensPerSecond: Double
        /// This process's peak resident memory: rank 0's when ranks share the batch.
        public let peakResidentMegabytes: Double

        public func rendered() -> String {
            """
            model \(model)
            train \(method) in \(precision): batch \(batch) × \(time) tokens\(ranks > 1 ? " over \(ranks) ranks" : ""), median of \(steps) steps (after one warm-up step)
              \(String(format: "%.1f", tokensPerSecond)) tokens/s   peak RSS \(String(format: "%.0f", peakResidentMegabytes)) MB\(ranks > 1 ? " (rank 0's)" : "")
            """
        }
    }

    let bundle: ModelBundle
    let method: TrainingConfig.Method
    let batch: Int
    let time: Int
    let steps: Int
    let precision: Precision
    let group: any ProcessGroup

    /// A benchmark of `method` on `bundle`'s model, its products in `precision`, the batch's rows
    /// shared by the ranks of `group`.
    public init(bundle: ModelBundle, method: TrainingConfig.Method, batch: Int = 4, time: Int = 256, steps: Int = 3,
                precision: Precision = .fp32, group: any ProcessGroup = SoloGroup()) {
        (self.bundle, self.method, self.batch, self.time, self.steps) = (bundle, method, batch, time, steps)
        self.precision = precision
        self.group = group
    }

    /// Times `steps` optimizer steps on windows of `tokens` (after one warm-up step).
    /// - Throws: `TensorError.invalidArgument` naming the option when batch, time or steps is below 1,
    ///   batch × (time + 1) overflows, `tokens` are fewer than that, or the ranks do not divide the batch;
    ///   `DistributedError` when a gradient sum over the ranks fails;
    ///   `TensorError.precisionUnavailable` for bf16 on a CPU without bf16 arithmetic.
    public func run(tokens: [Int32], progress: (String) -> Void = { _ in }) throws -> Report {
        let model = bundle.model
        guard batch >= 1, time >= 1, steps >= 1 else {
            throw TensorError.invalidArgument(
                operation: "bench train",
                detail: "--batch \(batch), --time \(time) and --steps \(steps) must each be at least 1")
        }
        let (needed, overflow) = time == .max ? (0, true) : batch.multipliedReportingOverflow(by: time + 1)
        guard !overflow, tokens.count >= needed else {
            throw TensorError.invalidArgument(
                operation: "bench train",
                detail: "--batch \(batch) × (--time \(time) + 1) tokens are needed, \(tokens.count) are available")
        }
        guard batch % group.size == 0 else {
            throw TensorError.invalidArgument(
                operation: "bench train", detail: "--batch \(batch) must be a multiple of the \(group.size) ranks, which share its rows")
        }
        // This rank's rows of the batch; every rank scales its loss by the whole batch's tokens, so the sum is the mean.
        let rows = batch / group.size
        var inputs: [Int32] = [], targets: [Int32] = []
        for row in (group.rank * rows)..<((group.rank + 1) * rows) {
            let start = row * (time + 1)
            inputs += tokens[start..<(start + time)]
            targets += tokens[(start + 1)..<(start + time + 1)]
        }
        let tokenBatch = TokenBatch(batch: rows, time: time, inputs: inputs, targets: targets)
        try model.setPrecision(precision)
        let adapters = method == .lora
            ? try LoRAAdapters(model: model, rank: 8, alpha: 16, modules: LoRAAdapters.knownModules(model.config.architecture), seed: 0)
            : nil
        model.adapters = adapters
        defer { model.adapters = nil }
        let gradients = try ParameterGradients(model: model, trainable: adapters == nil ? nil : [])
        let weights = adapters?.weights ?? model.parameters
        let weightGradients = adapters?.gradients ?? gradients.block
        let optimizer = try AdamW(parameters: weights, settings: .init(weightDecay: 0.01))
        let workspace = try Workspace(config: model.config, batch: rows, time: time, training: true, adapters: adapters)
        let reducer = GradientReducer(gradients: weightGradients, group: group)
        var samples: [Double] = []
        for step in 0...steps {
            let seconds = try Stopwatch.time {
                weightGradients.flat.zero()
                try model.forward(tokenBatch, workspace: workspace)
                // As in training: full fine-tuning sends each bucket of gradients while backward goes on.
                try model.backward(tokenBatch, workspace: workspace, gradients: gradients,
                                   lossScale: 1 / Float(batch * time), finished: reducer.backwardHook(for: gradients, step: step))
                try reducer.reduce(step: step)
                GradientClipping.clip(weightGradients, maximum: 1)
                optimizer.update(parameters: weights, gradients: weightGradients, learningRate: 1e-5)
                // The bf16 copy follows the fp32 masters, as in training (LoRA's base is frozen).
                if adapters == nil { try model.weightsChanged() }
            }
            if step > 0 {
                let rate = Double(batch) * Double(time) / seconds
                samples.append(rate)
                if group.writes { progress("step \(step)/\(steps): \(String(format: "%.0f", rate)) tokens/s") }
            }
        }
        return Report(model: bundle.location.lastPathComponent, method: method.rawValue, batch: batch, time: time,
                      steps: steps, ranks: group.size, precision: precision, tokensPerSecond: Stopwatch.median(of: samples),
                      peakResidentMegabytes: PeakMemory.residentMegabytes())
    }
}
