import QuenchModel
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// What the ranks compare before the first step: every tensor a run holds, each hashed once.
@Suite struct RankAgreementTests {
    @Test(arguments: [TrainingConfig.Method.full, .lora])
    func everyLoadedBlockIsHashedOnce(_ method: TrainingConfig.Method) throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let config = TrainingConfig(method: method, lora: .init(rank: 4), data: .init(train: "train.jsonl"), batchSize: 2)
        let state = try TrainableState(model: model, config: config)
        let blocks = RankAgreement.loadedBlocks(state)
        // Full fine-tuning trains the model's own parameters: one block, not two.
        #expect(blocks.count == (method == .full ? 3 : 4))
        for held in [state.model.parameters, state.weights, state.optimizer.firstMoment, state.optimizer.secondMoment] {
            #expect(blocks.filter { $0 === held }.count == 1)
        }
    }
}
