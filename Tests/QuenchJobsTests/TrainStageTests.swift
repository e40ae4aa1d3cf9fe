import Foundation
@testable import QuenchJobs
import QuenchGate
import Testing

/// The train stage trains on the data stage's files, with the fetched model, into the run folder.
@Suite struct TrainStageTests {
    @Test func theConfigurationReadsTheDataStageFilesAndTheFetchedModel() throws {
        let fixture = try StageFixture()
        let finished = try fixture.run(through: .data)
        let fetch = try #require(finished.fetch), verify = try #require(finished.verify), data = try #require(finished.data)
        let config = TrainStage(context: fixture.context, fetch: fetch, verify: verify, data: data).configuration
        #expect(config.data.train == data.trainingFiles.train)
        #expect(config.data.validation == data.trainingFiles.validation)
        #expect(config.data.train != fixture.context.spec.data.train)
        #expect(config.model == fetch.location)
        #expect(config.output == fixture.context.directory.training.path)
    }

    @Test func loraTrainingWritesAnAdapterWhichIsWhatEvaluationReads() throws {
        let fixture = try StageFixture()
        let train = try #require(try fixture.run(through: .train).train)
        #expect(train.method == .lora)
        #expect(train.method.tunedKind == .adapter)
        #expect(train.summary.steps == 3)
        #expect(Set(train.files.map { URL(fileURLWithPath: $0.path).lastPathComponent })
                .isSuperset(of: ["adapter_config.json", "adapter_model.safetensors"]))
        #expect(train.files.allSatisfy { $0.path.hasPrefix(train.artifacts + "/") })
        #expect(FileManager.default.fileExists(atPath: train.metrics))
        #expect(TrainStage.summary(train).hasPrefix("lora, 3 steps"))
    }
}
