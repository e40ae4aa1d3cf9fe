import Foundation
import QuenchDistributed
import QuenchModel
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// Two ranks on two threads of this process (`ThreadRanks`), each with its own copy of tiny-llama,
/// train as one: with one micro-batch each they end with the bits of one process accumulating two,
/// rank 0 alone writes, their checkpoints resume with either rank count, and ranks that loaded
/// different settings stop before anything is written.
@Suite(.timeLimit(.minutes(3))) struct DataParallelTrainerTests {
    struct RankFailure: Error { let message: String }

    /// tiny-llama in `folder` and the arithmetic records `BF16TrainingRunTests` trains (a quarter held
    /// out for validation), trained for 4 steps of 2 micro-batches of 2 rows, with checkpoints and
    /// validation every 2 steps.
    static func configuration(_ method: TrainingConfig.Method, in folder: URL) throws -> TrainingConfig {
        var (config, _) = try BF16TrainingRunTests().configuration(method, .fp32, in: folder)
        config.output = folder.appendingPathComponent("solo").path
        config.lora.dropout = 0.1
        config.data.validationSplit = 0.25
        config.batchSize = 2
        config.gradientAccumulation = 2
        config.evaluateEvery = 2
        return config
    }

    /// The release the ranks run unless a test gives them others.
    static let release = "test"

    /// Runs `configs[r]` as rank r of `configs.count`, each on a thread of its own at the same time,
    /// summing gradients in buckets of `bucketFloats`; rank r runs Quench `releases[r]` (default: all
    /// `release`), on a machine with `availableMemory` bytes free (default: what this one has), in the
    /// group `group` makes of its thread rank (default: the thread rank itself).
    static func runRanks(_ configs: [TrainingConfig], resume: Bool = false,
                         bucketFloats: Int = GradientReducer.defaultBucketFloats, releases: [String]? = nil,
                         availableMemory: Int = MemoryBudget.availableBytes(),
                         group: @escaping @Sendable (ThreadRank) -> any ProcessGroup = { $0 })
        -> [Result<TrainingSummary, RankFailure>] {
        ThreadRendezvous(size: configs.count).run { rank in
            let config = configs[rank.rank]
            let bundle = try ModelBundle.open(URL(fileURLWithPath: config.model ?? ""))
            let trainer = try Trainer(config: config, bundle: bundle, quenchVersion: releases?[rank.rank] ?? Self.release,
                                      availableMemory: availableMemory, group: group(rank), bucketFloats: bucketFloats)
            return try trainer.run(resume: resume)
        }.map { result in result.mapError { RankFailure(message: "\($0)") } }
    }

    /// Expects every rank of `results` to have failed with an error containing each of `expected`, and
    /// `output` (rank 0's folder) not to exist: the ranks stopped before anything was written.
    static func expectEveryRankFailed(_ results: [Result<TrainingSummary, RankFailure>], naming expected: String...,
                                      nothingIn output: URL, sourceLocation: SourceLocation = #_sourceLocation) {
        for (rank, result) in results.enumerated() {
            guard case .failure(let failure) = result else {
                Issue.record("rank \(rank) trained; expected it to fail naming \(expected)", sourceLocation: sourceLocation)
                continue
            }
            for text in expected {
                #expect(failure.message.contains(text), "\(failure.message)", sourceLocation: sourceLocation)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: output.path), "nothing was written", sourceLocation: sourceLocation)
    }

    /// `config` for `ranks` ranks: rank 0 writes into `output`, the others are given folders of their own
    /// (which must stay absent).
    static func ranks(_ count: Int, of config: TrainingConfig, output: URL) -> [TrainingConfig] {
        (0..<count).map { rank in
            var copy = config
            copy.output = rank == 0 ? output.path : output.path + "-rank\(rank)"
            return copy
        }
    }

    /// The metrics lines without their timings (tokens per second and elapsed seconds differ run to run).
    static func metrics(_ output: URL) throws -> [String] {
        let text = try String(contentsOf: output.appendingPathComponent(Trainer.metricsFile), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let m = try JSONDecoder().decode(StepMetrics.self, from: Data(line.utf8))
            return "\(m.step) \(m.loss) \(m.learningRate) \(m.gradientNorm) \(m.epoch) \(String(describing: m.validationLoss))"
        }
    }

    /// The bytes of what a run wrote that must match: the trained weights and every checkpoint's tensors.
    static func written(_ output: URL, _ method: TrainingConfig.Method) throws -> [String: Data] {
        let weights = method == .lora ? "adapter_model.safetensors" : "model.safetensors"
        var files = ["weights": try Data(contentsOf: output.appendingPathComponent(Trainer.artifactsFolder(for: method))
            .appendingPathComponent(weights))]
        for step in ["00000002", "00000004"] {
            files[step] = try Data(contentsOf: output.appendingPathComponent("checkpoints/checkpoint-\(step)/tensors.safetensors"))
        }
        return files
    }

    @Test(arguments: [TrainingConfig.Method.lora, .full])
    func twoRanksOfOneMicroBatchEqualOneProcessBitForBit(_ method: TrainingConfig.Method) throws {
        let folder = try TemporaryDirectory.create("data-parallel")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.configuration(method, in: folder)
        let solo = try Trainer(config: config, bundle: try ModelBundle.open(URL(fileURLWithPath: config.model ?? "")),
                               quenchVersion: Self.release).run()
        let output = folder.appendingPathComponent("ranks")
        let results = Self.runRanks(Self.ranks(2, of: config, output: output))
        let summaries = try results.map { try $0.get() }
        for summary in summaries {
            #expect(summary.finalLoss == solo.finalLoss && summary.validationLoss == solo.validationLoss)
        }
        #expect(try Self.written(output, method) == (try Self.written(URL(fileURLWithPath: config.output), method)))
        #expect(try Self.metrics(output) == (try Self.metrics(URL(fileURLWithPath: config.output))))
        #expect(!FileManager.default.fileExists(atPath: output.path + "-rank1"), "rank 1 writes nothing")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".partial") }
        #expect(leftovers.isEmpty)
    }

    /// ‖a − b‖₂ / ‖b‖₂: how far a tensor `a` is from `b`, relative to `b`.
    static func relativeL2(_ a: [Float], _ b: [Float]) -> Double {
        let difference = zip(a, b).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) }
        let reference = b.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (difference / reference).squareRoot()
    }

    /// Four ranks sum four micro-batches in rank order, ((G₀ + G₁) + G₂) + G₃, the order one process
    /// adds them in: every tensor written and the metrics agree within 1e-5 relative.
    @Test func fourRanksOfOneMicroBatchAgreeWithOneProcessWithin1e5PerTensor() throws {
        let folder = try TemporaryDirectory.create("data-parallel-four")
        defer { try? FileManager.default.removeItem(at: folder) }
        var config = try Self.configuration(.full, in: folder)
        config.gradientAccumulation = 4
        let solo = URL(fileURLWithPath: config.output)
        _ = try Trainer(config: config, bundle: try ModelBundle.open(URL(fileURLWithPath: config.model ?? "")),
                        quenchVersion: Self.release).run()
        let output = folder.appendingPathComponent("ranks")
        _ = try Self.runRanks(Self.ranks(4, of: config, output: output)).map { try $0.get() }
        let files = [Trainer.artifactsFolder(for: .full) + "/model.safetensors"]
            + ["00000002", "00000004"].map { "checkpoints/checkpoint-\($0)/tensors.safetensors" }
        for file in files {
            let ranks = try SafetensorsFile(contentsOf: output.appendingPathComponent(file))
            let alone = try SafetensorsFile(contentsOf: solo.appendingPathComponent(file))
            #expect(ranks.tensorNames.sorted() == alone.tensorNames.sorted(), "\(file)")
            for name in alone.tensorNames {
                let error = Self.relativeL2(try ranks.floats(name), try alone.floats(name))
                #expect(error <= 1e-5, "\(file) \(name): ‖a − b‖ / ‖b‖ = \(error)")
            }
        }
        func steps(_ folder: URL) throws -> [StepMetrics] {
            try String(contentsOf: folder.appendingPathComponent(Trainer.metricsFile), encoding: .utf8)
                .split(separator: "\n").map { try JSONDecoder().decode(StepMetrics.self, from: Data($0.utf8)) }
        }
        let (ranked, alone) = (try steps(output), try steps(solo))
        #expect(ranked.map(\.step) == [1, 2, 3, 4] && alone.map(\.step) == [1, 2, 3, 4])
        for (a, b) in zip(ranked, alone) {
            #expect(abs(a.loss - b.loss) <= 1e-5 * abs(b.loss), "step \(b.step) loss \(a.loss) vs \(b.loss)")
            #expect(abs(a.gradientNorm - b.gradientNorm) <= 1e-5 * abs(b.gradientNorm),
                    "step \(b.step) grad_norm \(a.gradientNorm) vs \(b.gradientNorm)")
        }
    }

    @Test func aCheckpointOfTwoRanksResumesAloneAndWithTwoRanksToTheSameBits() throws {
        let folder = try TemporaryDirectory.create("data-parallel-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.configuration(.lora, in: folder)
        let straight = folder.appendingPathComponent("straight")
        _ = try Self.runRanks(Self.ranks(2, of: config, output: straight)).map { try $0.get() }
        let expected = try Self.written(straight, .lora)["weights"]
        for ranks in [1, 2] {
            let resumed = folder.appendingPathComponent("resumed-with-\(ranks)")
            try FileManager.default.copyItem(at: straight, to: resumed)
            let checkpoints = resumed.appendingPathComponent("checkpoints")
            try FileManager.default.removeItem(at: checkpoints.appendingPathComponent("checkpoint-00000004"))
            try Data("checkpoint-00000002".utf8).write(to: checkpoints.appendingPathComponent("latest"))
            try FileManager.default.removeItem(at: resumed.appendingPathComponent("adapter"))
            // Every rank reads the checkpoint, so they share the output folder here (as on a cluster's shared file system).
            var shared = config
            shared.output = resumed.path
            let summaries = try Self.runRanks(Array(repeating: shared, count: ranks), resume: true).map { try $0.get() }
            #expect(summaries.allSatisfy { $0.resumedFromStep == 2 })
            #expect(try Self.written(resumed, .lora)["weights"] == expected, "resumed with \(ranks) rank(s)")
            #expect(try Self.metrics(resumed) == (try Self.metrics(straight)))
        }
    }

    @Test func ranksThatLoadedOtherSettingsStopNamingTheRankBeforeWritingAnything() throws {
        let folder = try TemporaryDirectory.create("data-parallel-disagree")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.configuration(.lora, in: folder)
        let output = folder.appendingPathComponent("ranks")
        var configs = Self.ranks(2, of: config, output: output)
        configs[1].seed = 7
        Self.expectEveryRankFailed(Self.runRanks(configs), naming: "rank 1 holds different configuration", nothingIn: output)
    }

    @Test func aFinishedRunResumedByTwoRanksReportsRankZerosFiguresWithoutTheOthersReadingMetrics() throws {
        let folder = try TemporaryDirectory.create("data-parallel-finished")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.configuration(.lora, in: folder)
        let output = folder.appendingPathComponent("ranks")
        let first = try Self.runRanks(Self.ranks(2, of: config, output: output)).map { try $0.get() }
        // Rank 1's folder holds the checkpoints but no metrics.jsonl: rank 0 alone may read (and rewrites) it.
        let rank1 = URL(fileURLWithPath: output.path + "-rank1")
        try FileManager.default.copyItem(at: output, to: rank1)
        try FileManager.default.removeItem(at: rank1.appendingPathComponent(Trainer.metricsFile))
        let resumed = try Self.runRanks(Self.ranks(2, of: config, output: output), resume: true).map { try $0.get() }
        for summary in resumed {
            #expect(summary.resumedFromStep == 4 && summary.steps == 4)
            #expect(summary.finalLoss == first[0].finalLoss && summary.validationLoss == first[0].validationLoss)
        }
        #expect(first[0].validationLoss != nil, "the last step ran validation, so both figures travel")
        #expect(!FileManager.default.fileExists(atPath: rank1.appendingPathComponent(Trainer.metricsFile).path))
    }

    @Test func ranksOfAnotherQuenchReleaseStopNamingTheRank() throws {
        let folder = try TemporaryDirectory.create("data-parallel-release")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.configuration(.lora, in: folder)
        let output = folder.appendingPathComponent("ranks")
        Self.expectEveryRankFailed(Self.runRanks(Self.ranks(2, of: config, output: output), releases: ["0.1.0", "0.2.0"]),
                                   naming: "rank 1 holds different Quench release from rank 0", nothingIn: output)
    }

    @Test func ranksOnOneMachineEachPlanWithTheirShareOfItsMemory() throws {
        let folder = try TemporaryDirectory.create("data-parallel-memory")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.configuration(.full, in: folder)
        let model = try ModelBundle.open(URL(fileURLWithPath: config.model ?? "")).model
        // What one rank of one micro-batch needs besides the model, on rows of `time` tokens.
        func need(time: Int) throws -> Int {
            try #require(try TrainingMemory.budget(model: model, config: config, time: time, available: 0, microBatches: 1).total)
                - model.parameters.flat.count * MemoryLayout<Float>.stride
        }
        // Enough for one rank on the longest rows (max_sequence_length 32); half of it is short of any rows.
        let available = try need(time: 32)
        try #require(try need(time: 1) > available / 2)
        try TrainingMemory.check(model: model, config: config, time: 32, available: available, microBatches: 1)
        let output = folder.appendingPathComponent("ranks")
        Self.expectEveryRankFailed(Self.runRanks(Self.ranks(2, of: config, output: output), availableMemory: available),
                                   naming: "one of the 2 ranks on this machine (the free memory divided by 2)", "tasks_per_node",
                                   nothingIn: output)
    }
}
