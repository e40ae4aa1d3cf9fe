import Foundation
@testable import QuenchModel
import QuenchTensor
import QuenchTokenizer
import Testing
import QuenchTestSupport

/// Greedy generation of many prompts in batches must give, token for token, what one prompt at a
/// time gives, and refuse what it cannot run before allocating anything.
@Suite struct BatchGenerationTests {
    /// Eight prompts of different lengths (ids inside the fixtures' vocabulary of 256).
    static let prompts: [[Int32]] = [
        [5, 17, 200, 3, 99, 42, 7], [12], [64, 1, 128], [250, 9, 33, 71, 2, 18, 100, 4, 6, 222, 45],
        [8, 8, 8, 8], [199, 30], [77, 13, 150, 90, 61], [3, 141, 59, 26, 53, 58, 97, 93, 23],
    ]

    static func load(_ folder: String) throws -> CausalLM {
        try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url(folder))
    }

    static func generate(_ model: CausalLM, batchSize: Int, maxNewTokens: Int = 12, stopTokens: Set<Int32> = [],
                         shouldStop: (Int, [Int32]) -> Bool = { _, _ in false }) throws -> [GeneratedSequence] {
        try GreedyBatchGenerator(model: model, batchSize: batchSize)
            .generate(prompts: prompts, maxNewTokens: maxNewTokens, stopTokens: stopTokens, shouldStop: shouldStop)
    }

    /// The logits after the last token of `tokens`, from the full forward pass.
    static func fullLogits(_ model: CausalLM, _ tokens: [Int32]) throws -> [Float] {
        let n = tokens.count, vocabulary = model.config.vocabularySize
        let workspace = try Workspace(config: model.config, batch: 1, time: n, training: false)
        try model.forward(TokenBatch(batch: 1, time: n, inputs: tokens), workspace: workspace)
        let logits = try Tensor(zeros: [n, vocabulary])
        try model.logits(workspace: workspace, into: logits)
        return Array(logits.toArray()[((n - 1) * vocabulary)...])
    }

    static func worstDifference(_ a: UnsafeBufferPointer<Float>, _ b: [Float]) -> Float {
        a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? .infinity : .infinity
    }

    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func batchesOfEightAndThreeEqualOnePromptAtATime(_ folder: String) throws {
        let model = try Self.load(folder)
        let single = try Self.generate(model, batchSize: 1)
        #expect(single.count == Self.prompts.count)
        #expect(single.allSatisfy { $0.tokens.count == 12 && $0.end == .length })
        #expect(try Self.generate(model, batchSize: 8) == single)
        #expect(try Self.generate(model, batchSize: 3) == single)
        // Rows leaving at different steps (prompt p stops after p + 1 tokens) leave the others exact.
        let stopAfter: (Int, [Int32]) -> Bool = { prompt, generated in generated.count == prompt + 1 }
        let early = try Self.generate(model, batchSize: 8, shouldStop: stopAfter)
        #expect(try Self.generate(model, batchSize: 1, shouldStop: stopAfter) == early)
        for (prompt, sequence) in early.enumerated() {
            #expect(sequence == GeneratedSequence(tokens: Array(single[prompt].tokens.prefix(prompt + 1)), end: .caller))
        }
    }

    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func prefillAndStepRowsMatchTheFullForwardPass(_ folder: String) throws {
        let model = try Self.load(folder)
        let state = try BatchDecodeState(config: model.config, rows: 8, capacity: 16, lower: "the test's sizes")
        try model.prefill(Self.prompts, state: state)
        for (row, prompt) in Self.prompts.enumerated() {
            let worst = Self.worstDifference(try state.logits(row: row), try Self.fullLogits(model, prompt))
            #expect(worst < 1e-4, "\(folder) prompt \(row) after prefill: \(worst)")
        }
        // A step over some slots, in another order: each row continues its own prompt.
        let slots = [5, 1, 6], tokens: [Int32] = [7, 9, 11]
        try model.step(tokens: tokens, slots: slots, state: state)
        for (row, slot) in slots.enumerated() {
            let expected = try Self.fullLogits(model, Self.prompts[slot] + [tokens[row]])
            let worst = Self.worstDifference(try state.logits(row: row), expected)
            #expect(worst < 1e-4, "\(folder) slot \(slot) after a step: \(worst)")
        }
        #expect(state.lengths == Self.prompts.enumerated().map { $0.element.count + (slots.contains($0.offset) ? 1 : 0) })
    }

    @Test func aStopTokenIsExcludedAndEndsOnlyItsRow() throws {
        let model = try Self.load("tiny-llama")
        let free = try Self.generate(model, batchSize: 8)
        let first = free[0].tokens
        let cut = try #require(first.indices.dropFirst().first { !first[..<$0].contains(first[$0]) })
        let stop = first[cut]
        let stopped = try Self.generate(model, batchSize: 8, stopTokens: [stop])
        for (prompt, sequence) in stopped.enumerated() {
            let tokens = free[prompt].tokens
            if let end = tokens.firstIndex(of: stop) {
                #expect(sequence == GeneratedSequence(tokens: Array(tokens[..<end]), end: .stopToken))
            } else {
                #expect(sequence == free[prompt])
            }
        }
        #expect(stopped[0].tokens.count == cut)
        #expect(try Self.generate(model, batchSize: 8, maxNewTokens: 1).map(\.tokens) == free.map { [$0.tokens[0]] })
    }

    @Test func greedyTiesGoToTheLowestIdAsTheSamplerDoes() {
        let logits: [Float] = [0.5, 3, -1, 3, 2]
        var sampler = TokenSampler(.init())
        let greedy = logits.withUnsafeBufferPointer(GreedyBatchGenerator.greedyToken)
        #expect(greedy == 1)
        #expect(greedy == sampler.next(logits))
    }

    @Test func badPromptsAndSettingsAreRefusedNamingThePrompt() throws {
        let model = try Self.load("tiny-gpt2")
        let generator = GreedyBatchGenerator(model: model, batchSize: 4)
        #expect(throws: BatchGenerationError.emptyPrompt(prompt: 1)) {
            try generator.generate(prompts: [[1, 2], [], [3]], maxNewTokens: 4, stopTokens: [])
        }
        let long = [Int32](repeating: 3, count: 60)
        #expect(throws: BatchGenerationError.tooLong(prompt: 1, promptTokens: 60, maxNewTokens: 5, positions: 64)) {
            try generator.generate(prompts: [[1], long], maxNewTokens: 5, stopTokens: [])
        }
        #expect(try generator.generate(prompts: [[1], long], maxNewTokens: 4, stopTokens: []).map(\.tokens.count) == [4, 4])
        #expect(throws: BatchGenerationError.tokenOutOfRange(prompt: 0, token: 256, vocabulary: 256)) {
            try generator.generate(prompts: [[1, 256]], maxNewTokens: 4, stopTokens: [])
        }
        #expect(throws: BatchGenerationError.notPositive(name: "max_new_tokens", value: 0)) {
            try generator.generate(prompts: [[1]], maxNewTokens: 0, stopTokens: [])
        }
        #expect(throws: BatchGenerationError.notPositive(name: "batch_size", value: 0)) {
            try GreedyBatchGenerator(model: model, batchSize: 0).generate(prompts: [[1]], maxNewTokens: 4, stopTokens: [])
        }
        #expect(try generator.generate(prompts: [], maxNewTokens: 4, stopTokens: []).isEmpty)
    }

    @Test func aBatchThatDoesNotFitIsRefusedBeforeAllocatingNamingTheSettings() throws {
        let model = try Self.load("tiny-llama")
        let error = try #require(throws: ModelError.self) {
            try GreedyBatchGenerator(model: model, batchSize: 8, availableMemory: 1024)
                .generate(prompts: Self.prompts, maxNewTokens: 12, stopTokens: [])
        }
        guard case .exceedsMemory(let what, let bytes?, let available, let lower) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(what.contains("cache of 8 sequences × 23 positions") && what.contains("prefill workspace of 8 prompts × 11 tokens"))
        #expect(bytes > available && available == 1024 && lower.contains("batch_size") && lower.contains("max_new_tokens"))
        let fits = try GreedyBatchGenerator(model: model, batchSize: 8, availableMemory: bytes)
            .generate(prompts: Self.prompts, maxNewTokens: 12, stopTokens: [])
        #expect(fits.count == Self.prompts.count)
    }

    @Test func unmergedAdaptersAreRefused() throws {
        let model = try Self.load("tiny-llama")
        model.adapters = try LoRAAdapters(model: model, rank: 2, alpha: 4, modules: ["q", "v"], seed: 0)
        let error = try #require(throws: TensorError.self) {
            try GreedyBatchGenerator(model: model, batchSize: 2).generate(prompts: [[1]], maxNewTokens: 2, stopTokens: [])
        }
        #expect("\(error)".contains("unmerged LoRA adapters"))
    }

    /// Eight chat prompts for SmolLM2, rendered by its template and encoded, and its stop tokens.
    static func chatPrompts(_ bundle: ModelBundle) throws -> (questions: [String], prompts: [[Int32]], stops: Set<Int32>) {
        let tokenizer = try #require(bundle.tokenizer), template = try #require(bundle.chatTemplate)
        let questions = [
            "What is the capital of France?", "Write a haiku about the sea.", "Give me three colours.",
            "Explain what a CPU does in one sentence.", "Turn this into JSON: Ana is 34 and lives in Lisbon.",
            "Count from one to five.", "Say hello.", "Why is the sky blue? Answer briefly, please, in simple words.",
        ]
        let prompts = try questions.map { question in
            try tokenizer.encode(template.render([ChatMessage(role: "user", content: question)], addGenerationPrompt: true))
                .map { Int32($0) }
        }
        let stops = Set([tokenizer.eosTokenID, tokenizer.id(of: template.endOfTurnToken)].compactMap { $0 }.map { Int32($0) })
        return (questions, prompts, stops)
    }

    /// SmolLM2's greedy continuations (32 new tokens) of the chat prompts, batch 8 against batch 1.
    static func smolLM2Batches(_ bundle: ModelBundle) throws -> (eight: [GeneratedSequence], one: [GeneratedSequence]) {
        let (_, prompts, stops) = try chatPrompts(bundle)
        #expect(!stops.isEmpty)
        func generate(_ batchSize: Int) throws -> [GeneratedSequence] {
            try GreedyBatchGenerator(model: bundle.model, batchSize: batchSize)
                .generate(prompts: prompts, maxNewTokens: 32, stopTokens: stops)
        }
        let eight = try generate(8), one = try generate(1)
        for (index, (batched, single)) in zip(eight, one).enumerated() {
            #expect(batched == single, "prompt \(index): batch 8 \(batched.tokens) vs batch 1 \(single.tokens)")
        }
        return (eight, one)
    }

    @Test(.requiresDemoModel) func smolLM2BatchOfEightEqualsBatchOfOneAndTheTextGenerator() throws {
        let bundle = try ModelBundle.open(DemoModelFile.url)
        let tokenizer = try #require(bundle.tokenizer)
        let (_, one) = try Self.smolLM2Batches(bundle)
        for (question, sequence) in zip(try Self.chatPrompts(bundle).questions, one) {
            let reference = try TextGenerator(bundle: bundle).generate(
                TextGenerator.Request(prompt: question, chat: true, maxTokens: 32, sampling: .init()))
            let text = String(decoding: sequence.tokens.flatMap { tokenizer.bytes(for: Int($0)) ?? [] }, as: UTF8.self)
            #expect(text == reference.text, "\(question)")
            #expect(reference.generatedTokens == sequence.tokens.count + (sequence.end == .stopToken ? 1 : 0))
            #expect((reference.stopReason == "end of turn") == (sequence.end == .stopToken))
        }
    }

    @Test(.requiresDemoModel, .enabled(if: CPUFeatures.current.hasBF16Arithmetic,
                                       "this CPU has neither AVX512_BF16 nor AMX-BF16 (\(CPUFeatures.current.source))"))
    func smolLM2InBF16BatchOfEightEqualsBatchOfOne() throws {
        let bundle = try ModelBundle.open(DemoModelFile.url)
        try bundle.model.setPrecision(.bf16)
        #expect(bundle.model.precision == .bf16)
        _ = try Self.smolLM2Batches(bundle)
    }
}
