import Foundation
import Testing
@testable import QuenchTrain

@Suite("Training configuration: canonical hash")
struct ConfigHashTests {
    func hash(_ yaml: String) throws -> String {
        try TrainingConfig.load(yaml: yaml, file: "h.yaml").canonicalHash()
    }

    let base = "data:\n  train: t.jsonl\noptimizer:\n  learning_rate: 1e-4\n  weight_decay: 0.1\nseed: 7\n"

    @Test func stableAcrossKeyOrderAndSpelling() throws {
        let reordered = "seed: 7\noptimizer:\n  weight_decay: 0.10\n  learning_rate: 0.0001\ndata:\n  train: t.jsonl\n"
        let digest = try hash(base)
        #expect(digest.count == 64 && digest.allSatisfy(\.isHexDigit))
        #expect(try hash(reordered) == digest)
        #expect(try hash(base) == digest)
    }

    @Test func changesWithSettingsThatChangeResults() throws {
        let digest = try hash(base)
        #expect(try hash(base.replacingOccurrences(of: "1e-4", with: "2e-4")) != digest)
        #expect(try hash(base + "batch_size: 8\n") != digest)
        #expect(try hash(base.replacingOccurrences(of: "seed: 7", with: "seed: 8")) != digest)
        #expect(try hash(base + "lora:\n  rank: 4\n") != digest)
    }

    @Test func ignoresSettingsThatDoNotChangeResults() throws {
        let digest = try hash(base)
        #expect(try hash(base + "output: elsewhere/run\n") == digest)
        #expect(try hash(base + "log_every: 10\ncheckpoint_every: 5\nevaluate_every: 7\n") == digest)
        let full = try hash(base + "method: full\n")
        #expect(full != digest)
        #expect(try hash(base + "method: full\nlora:\n  rank: 4\n") == full)
    }
}

@Suite("Learning-rate schedules")
struct LearningRateScheduleTests {
    let peak = 1e-3

    func schedule(_ kind: TrainingConfig.ScheduleSettings.Kind, warmup: Int, floor: Double = 0,
                  total: Int = 110) -> LearningRateSchedule {
        LearningRateSchedule(settings: .init(kind: kind, warmupSteps: warmup, minimumLearningRateRatio: floor),
                             peak: peak, totalSteps: total)
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-15 }

    @Test func warmupRisesLinearlyFromZero() {
        for kind in TrainingConfig.ScheduleSettings.Kind.allCases {
            let s = schedule(kind, warmup: 10)
            #expect(s.rate(at: 0) == 0)
            #expect(close(s.rate(at: 1), 1e-4))
            #expect(close(s.rate(at: 5), 5e-4))
            #expect(close(s.rate(at: 10), peak))
        }
    }

    @Test func cosineFollowsTransformers() {
        // progress = (step - 10) / 100; factor = ½(1 + cos(π·progress)).
        let s = schedule(.cosine, warmup: 10)
        #expect(close(s.rate(at: 35), peak * 0.5 * (1 + cos(Double.pi / 4))))
        #expect(close(s.rate(at: 35), 8.535533905932737e-4))
        #expect(close(s.rate(at: 60), 5e-4))
        #expect(close(s.rate(at: 110), 0))
        #expect(close(s.rate(at: 200), 0))
        #expect(schedule(.cosine, warmup: 0).rate(at: 0) == peak)
    }

    @Test func cosineWithFloorFollowsTransformersMinLRRate() {
        // factor · (1 − f) + f, as get_cosine_with_min_lr_schedule_with_warmup(min_lr_rate: f).
        let s = schedule(.cosine, warmup: 10, floor: 0.1)
        #expect(close(s.rate(at: 5), 5e-4))
        #expect(close(s.rate(at: 35), 1e-3 * (0.1 + 0.9 * 0.8535533905932737)))
        #expect(close(s.rate(at: 60), 5.5e-4))
        #expect(close(s.rate(at: 110), 1e-4))
        #expect(close(s.rate(at: 500), 1e-4))
    }

    @Test func linearFollowsTransformers() {
        // factor = max(0, (110 - step) / 100).
        let s = schedule(.linear, warmup: 10)
        #expect(close(s.rate(at: 60), 5e-4))
        #expect(close(s.rate(at: 85), 2.5e-4))
        #expect(close(s.rate(at: 110), 0))
        #expect(close(s.rate(at: 150), 0))
        let floored = schedule(.linear, warmup: 10, floor: 0.2)
        #expect(close(floored.rate(at: 60), 6e-4))
        #expect(close(floored.rate(at: 150), 2e-4))
    }

    @Test func constantHoldsThePeakAndIgnoresTheFloor() {
        let s = schedule(.constant, warmup: 4, floor: 0.5)
        #expect(close(s.rate(at: 2), 5e-4))
        #expect(s.rate(at: 4) == peak && s.rate(at: 1000) == peak)
    }

    @Test func warmupLongerThanTheRunNeverDivides() {
        let s = schedule(.linear, warmup: 10, total: 5)
        #expect(close(s.rate(at: 3), 3e-4))
        #expect(s.rate(at: 10) == 0)
        #expect(s.rate(at: -1) == 0)
    }
}
