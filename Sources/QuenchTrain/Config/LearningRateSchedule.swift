import Foundation

/// The learning rate of every optimizer step: linear warmup from 0, then constant, linear or cosine
/// decay to a floor, with the formulas of Hugging Face transformers so runs compare step for step.
///
/// `step` counts optimizer updates already taken: the update with 0-based index `step` uses
/// `rate(at: step)`, as transformers' `LambdaLR` does after `step` calls to `scheduler.step()`.
/// With w warmup steps, T total steps, floor ratio f and peak p:
/// - warmup, `step < w`: `p · step / max(1, w)`, so the first update of a warmed-up run uses 0;
/// - constant: `p` (the floor does not apply);
/// - linear: `p · (f + (1 − f) · max(0, (T − step) / max(1, T − w)))`
///   (transformers' `get_linear_schedule_with_warmup` when f = 0);
/// - cosine: `p · (f + (1 − f) · ½(1 + cos(π · progress)))` with
///   `progress = (step − w) / max(1, T − w)` (transformers' `get_cosine_with_min_lr_schedule_with_warmup`
///   with `min_lr_rate` = f; `get_cosine_schedule_with_warmup` when f = 0).
/// Past T the rate stays at the floor: progress is capped at 1, where transformers' cosine would rise again.
public struct LearningRateSchedule: Sendable, Equatable {
    public let settings: TrainingConfig.ScheduleSettings
    /// The rate at the end of warmup: `optimizer.learning_rate`.
    public let peak: Double
    /// Optimizer steps in the whole run (T).
    public let totalSteps: Int

    /// A schedule reaching `peak` after `settings.warmupSteps` and ending at `totalSteps`.
    public init(settings: TrainingConfig.ScheduleSettings, peak: Double, totalSteps: Int) {
        self.settings = settings
        self.peak = peak
        self.totalSteps = totalSteps
    }

    /// The learning rate of the update with 0-based index `step`.
    public func rate(at step: Int) -> Double {
        let step = max(0, step)
        let warmup = max(0, settings.warmupSteps)
        if step < warmup { return peak * Double(step) / Double(max(1, warmup)) }
        let decaySteps = Double(max(1, totalSteps - warmup))
        let factor: Double
        switch settings.kind {
        case .constant:
            return peak
        case .linear:
            factor = min(1, max(0, Double(totalSteps - step) / decaySteps))
        case .cosine:
            let progress = min(1, Double(step - warmup) / decaySteps)
            factor = 0.5 * (1 + cos(Double.pi * progress))
        }
        let floor = settings.minimumLearningRateRatio
        return peak * (floor + (1 - floor) * factor)
    }
}
