import Foundation
import QuenchModel
import QuenchTensor
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// A step's gradient is the sum of its micro-batches' gradients, each computed from zero, added in
/// order: exactly what ranks computing one micro-batch each and summing them get.
@Suite struct StepGradientsTests {
    let model: CausalLM
    /// The reference tokens as four rows of half the reference's length.
    let halfRows: TokenBatch
    /// Those rows, each a micro-batch.
    let micro: [TokenBatch]
    let scored: Int

    init() throws {
        let directory = SharedFixtures.url("tiny-llama")
        model = try ModelLoader.load(huggingFaceDirectory: directory)
        let reference = try TokenBatch.reference(of: directory)
        let time = reference.time / 2
        halfRows = TokenBatch(batch: reference.inputs.count / time, time: time, inputs: reference.inputs, targets: reference.targets)
        micro = try halfRows.microBatches(time: time)
        scored = CrossEntropy.scoredCount(halfRows.targets ?? [])
    }

    /// Micro-batch `index`'s gradient alone, scaled by the whole step's scored tokens.
    func gradient(_ index: Int) throws -> [Float] {
        let gradients = try ParameterGradients(model: model)
        let workspace = try Workspace(config: model.config, batch: 1, time: micro[index].time, training: true)
        try model.forward(micro[index], workspace: workspace)
        try model.backward(micro[index], workspace: workspace, gradients: gradients, lossScale: 1 / Float(scored))
        return gradients.block.flat.toArray()
    }

    /// The step gradient of micro-batches `indices` through `StepGradients`.
    func accumulated(_ indices: [Int]) throws -> [Float] {
        let gradients = try ParameterGradients(model: model)
        let step = try StepGradients(gradients: gradients.block, microBatches: indices.count)
        let workspace = try Workspace(config: model.config, batch: 1, time: micro[0].time, training: true)
        for (position, index) in indices.enumerated() {
            try model.forward(micro[index], workspace: workspace)
            try step.accumulate(position, reporting: nil) { _ in
                try model.backward(micro[index], workspace: workspace, gradients: gradients, lossScale: 1 / Float(scored))
            }
        }
        return gradients.block.flat.toArray()
    }

    @Test func twoMicroBatchesSumToG0PlusG1Exactly() throws {
        let (g0, g1) = (try gradient(0), try gradient(1))
        let sum = try accumulated([0, 1])
        #expect(sum == zip(g0, g1).map { $0 + $1 }, "bit for bit what two ranks computing one micro-batch each sum to")
        #expect(sum.contains { $0 != 0 })
        let three = try accumulated([0, 1, 2])
        let g2 = try gradient(2)
        #expect(three == zip(zip(g0, g1).map { $0 + $1 }, g2).map { $0 + $1 }, "micro-batches added in order")
    }

    /// That no accumulator is kept for a single micro-batch is `StepAccumulatorMemoryTests`' to prove.
    @Test func oneMicroBatchGivesItsOwnGradientUnchanged() throws {
        #expect(try accumulated([3]) == (try gradient(3)))
    }

    /// Micro-batches scaled by the whole step's scored tokens sum to the mean gradient of the batch of
    /// all their rows, within rounding.
    @Test func accumulationStillEqualsOneLargerBatch() throws {
        let whole = try ParameterGradients(model: model)
        let workspace = try Workspace(config: model.config, batch: halfRows.batch, time: halfRows.time, training: true)
        try model.forward(halfRows, workspace: workspace)
        try model.backward(halfRows, workspace: workspace, gradients: whole)
        let a = whole.block.flat.toArray(), b = try accumulated(Array(micro.indices))
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-6, "accumulated gradients differ by \(worst)")
        #expect(a.contains { $0 != 0 })
    }
}
