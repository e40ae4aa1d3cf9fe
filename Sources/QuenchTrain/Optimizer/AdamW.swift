import Foundation
import QuenchTensor

/// AdamW with decoupled weight decay, as PyTorch's `torch.optim.AdamW` computes it, over every
/// tensor of a `TensorBlock` in one pass.
///
/// Moments live in blocks with the parameters' layout, so a frozen parameter (no gradient) is
/// simply not updated; LoRA passes the adapters' block, so the frozen base gets no moments at all.
public final class AdamW {
    /// Hyperparameters; the learning rate comes per step from the schedule.
    public struct Settings: Sendable, Equatable, Codable {
        public var beta1: Float
        public var beta2: Float
        public var epsilon: Float
        public var weightDecay: Float

        public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
            (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        }
    }

    public let settings: Settings
    /// First and second moments, laid out like the parameters.
    public let firstMoment: TensorBlock
    public let secondMoment: TensorBlock
    /// Steps taken (bias correction uses it).
    public internal(set) var step = 0
    /// Per tensor of the layout: whether weight decay applies to it.
    private let decays: [Bool]

    /// Moments for `parameters`; `decay(name)` says whether a tensor gets weight decay.
    public init(parameters: TensorBlock, settings: Settings, decay: (String) -> Bool = { _ in true }) throws {
        self.settings = settings
        firstMoment = try TensorBlock(sameLayoutAs: parameters)
        secondMoment = try TensorBlock(sameLayoutAs: parameters)
        decays = parameters.entries.map { decay($0.name) }
    }

    /// One update of `parameters` from `gradients` (same layout) at `learningRate`.
    public func update(parameters: TensorBlock, gradients: TensorBlock, learningRate: Float) {
        step += 1
        let b1 = settings.beta1, b2 = settings.beta2, eps = settings.epsilon
        let correction1 = 1 - Float(pow(Double(b1), Double(step)))
        let correction2Root = Float(sqrt(1 - pow(Double(b2), Double(step))))
        let stepSize = learningRate / correction1
        for (index, entry) in parameters.entries.enumerated() {
            let p = parameters.tensor(at: index).pointer, g = gradients.tensor(at: index).pointer
            let m = firstMoment.tensor(at: index).pointer, v = secondMoment.tensor(at: index).pointer
            let shrink = decays[index] ? 1 - learningRate * settings.weightDecay : 1
            Parallelism.cores.forEachRange(entry.count, grain: 16_384) { range in
                for i in range {
                    let gradient = g[i]
                    p[i] *= shrink
                    m[i] += (gradient - m[i]) * (1 - b1)  // PyTorch's lerp
                    v[i] = v[i] * b2 + (1 - b2) * gradient * gradient
                    let denominator = v[i].squareRoot() / correction2Root + eps
                    p[i] -= stepSize * m[i] / denominator
                }
            }
        }
    }

    /// Restores moments and step from a checkpoint.
    public func restore(step: Int) { self.step = step }
}
