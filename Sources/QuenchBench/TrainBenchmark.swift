import Foundation
import QuenchModel
import QuenchTensor
import QuenchTrain

/// `quench bench train`: tokens per second of training steps (forward, backward, AdamW) on a real
/// model, full fine-tuning or LoRA, and the process's peak resident memory.
public struct TrainBenchmark {
    /// What was measured.
    public struct Report: Codable, Sendable {
        public let model: String
        public let method: String
        public let batch: Int
        public let time: Int
        public let steps: Int
        /// The precision the matrix products ran in.
        public let precision: Precision
        /// Median tokens per second over the timed steps.
        public let tokensPerSecond: Double
        public let peakResidentMegabytes: Double

        public func rendered() -> String {
            """
            model \(model)
            train \(method) in \(precision): batch \(batch) × \(time) tokens, median of \(steps) steps (after one warm-up step)
              \(String(format: "%.1f", tokensPerSecond)) tokens/s   peak RSS \(String(format: "%.0f", peakResidentMegabytes)) MB
            """
        }
    }

    let bundle: ModelBundle
    let method: TrainingConfig.Method
    let batch: Int
    let time: Int
    let steps: Int
    let precision: Precision

    /// A benchmark of `method` on `bundle`'s model, its products in `precision`.
    public init(bundle: ModelBundle, method: TrainingConfig.Method, batch: Int = 4, time: Int = 256, steps: Int = 3,
                precision: Precision = .fp32) {
        (self.bundle, self.method, self.batch, self.time, self.steps) = (bundle, method, batch, time, steps)
        self.precision = precision
    }

    /// Times `steps` optimizer steps on windows of `tokens` (after one warm-up step).
    /// - Throws: `TensorError.invalidArgument` naming the option when batch, time or steps is below 1
    ///   or batch × (time + 1) overflows, or when `tokens` are fewer than that;
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
        var inputs: [Int32] = [], targets: [Int32] = []
        for row in 0..<batch {
            let start = row * (time + 1)
            inputs += tokens[start..<(start + time)]
            targets += tokens[(start + 1)..<(start + time + 1)]
        }
        let tokenBatch = TokenBatch(batch: batch, time: time, inputs: inputs, targets: targets)
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
        let workspace = try Workspace(config: model.config, batch: batch, time: time, training: true, adapters: adapters)
        var samples: [Double] = []
        for step in 0...steps {
            let seconds = try Stopwatch.time {
                weightGradients.flat.zero()
                try model.forward(tokenBatch, workspace: workspace)
                try model.backward(tokenBatch, workspace: workspace, gradients: gradients)
                GradientClipping.clip(weightGradients, maximum: 1)
                optimizer.update(parameters: weights, gradients: weightGradients, learningRate: 1e-5)
                // The bf16 copy follows the fp32 masters, as in training (LoRA's base is frozen).
                if adapters == nil { try model.weightsChanged() }
            }
            if step > 0 {
                let rate = Double(batch) * Double(time) / seconds
                samples.append(rate)
                progress("step \(step)/\(steps): \(String(format: "%.0f", rate)) tokens/s")
            }
        }
        return Report(model: bundle.location.lastPathComponent, method: method.rawValue, batch: batch, time: time,
                      steps: steps, precision: precision, tokensPerSecond: Stopwatch.median(of: samples),
                      peakResidentMegabytes: PeakMemory.residentMegabytes())
    }
}
