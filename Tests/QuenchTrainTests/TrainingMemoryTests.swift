import Foundation
import QuenchModel
import Testing
@testable import QuenchTrain
import QuenchTestSupport

/// Training's memory is planned as one sum (model, gradients or adapters, AdamW moments, workspace,
/// checkpoint staging) against what is available, not buffer by buffer.
@Suite struct TrainingMemoryTests {
    let model: CausalLM

    init() throws {
        model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
    }

    func config(_ method: TrainingConfig.Method) -> TrainingConfig {
        TrainingConfig(method: method, lora: .init(rank: 4, dropout: 0.1), data: .init(train: "train.jsonl"), batchSize: 8)
    }

    @Test(arguments: [TrainingConfig.Method.full, .lora])
    func partsThatFitAloneButNotTogetherAreRefusedNamingTheTotalAndEachPart(_ method: TrainingConfig.Method) throws {
        let budget = try TrainingMemory.budget(model: model, config: config(method), time: 64, available: 1 << 40)
        let total = try #require(budget.total)
        let largest = try #require(budget.parts.compactMap(\.bytes).max())
        let modelBytes = model.parameters.flat.count * MemoryLayout<Float>.stride
        // Room for the largest part and more, but one byte short of the sum.
        let short = total - 1 - modelBytes
        #expect(short > largest)
        let error = try #require(throws: ModelError.self) {
            try TrainingMemory.check(model: model, config: config(method), time: 64, available: short)
        }
        guard case .exceedsMemory(let what, let bytes, let available, let lower) = error else {
            Issue.record("expected exceedsMemory, got \(error)")
            return
        }
        #expect(bytes == total && available == total - 1)
        for part in ["model", "AdamW moments", "workspace (8 × 64 tokens)", "checkpoint staging"] {
            #expect(what.contains(part), "\(what)")
        }
        #expect(what.contains(method == .full ? "gradients" : "LoRA adapters"))
        #expect(lower.contains("batch_size") && lower.contains(method == .full ? "method: lora" : "lora.rank"))
        try TrainingMemory.check(model: model, config: config(method), time: 64, available: total - modelBytes)
    }

    @Test func availableMemoryIsMemAvailableFallingBackToPhysical() {
        let physical = MemoryBudget.availableBytes(meminfo: nil)
        #expect(physical > 0)
        #expect(MemoryBudget.availableBytes(meminfo: "MemTotal: 9 kB\nMemAvailable:   2048 kB\n") == min(2048 * 1024, physical))
        #expect(MemoryBudget.availableBytes(meminfo: "MemAvailable: lots\n") == physical)
    }
}

/// A process computing more than one micro-batch of a step keeps their running sum in a block the
/// size of the trained tensors (`StepGradients`); one computing a single micro-batch does not.
@Suite struct StepAccumulatorMemoryTests {
    @Test(arguments: [TrainingConfig.Method.full, .lora])
    func theAccumulatorIsPlannedOnlyForMoreThanOneMicroBatch(_ method: TrainingConfig.Method) throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        var config = TrainingConfig(method: method, lora: .init(rank: 4), data: .init(train: "train.jsonl"), batchSize: 2)
        config.gradientAccumulation = 4
        let alone = try TrainingMemory.budget(model: model, config: config, time: 32, available: 1 << 40)
        let shared = try TrainingMemory.budget(model: model, config: config, time: 32, available: 1 << 40, microBatches: 1)
        let part = try #require(alone.parts.first { $0.what == "step gradient accumulator" })
        let trained = try #require(alone.parts.first { $0.what == (method == .full ? "gradients" : "their gradients") })
        #expect(part.bytes == trained.bytes)
        #expect(!shared.parts.contains { $0.what == "step gradient accumulator" })
        #expect(try #require(alone.total) - (try #require(shared.total)) == (try #require(part.bytes)))
    }
}
