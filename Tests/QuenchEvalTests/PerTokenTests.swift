import Foundation
@testable import QuenchEval
import QuenchFiles
import QuenchGate
import QuenchModel
import QuenchTensor
import QuenchTokenizer
import Testing
import QuenchTestSupport

/// `quench eval --per-token`: one JSON line per window position, whose scored NLLs add up to the
/// report's loss, written whole or not at all. On tiny-llama with a byte tokenizer and a LoRA
/// adapter (`GateTests.Workbench`): a text set (every target scored) and a prompt/completion set
/// (prompts masked, so unscored lines carry NLLs too).
@Suite struct PerTokenTests {
    let bench: GateTests.Workbench

    init() throws {
        bench = try GateTests.Workbench()
    }

    func url(_ name: String) -> URL { bench.directory.appendingPathComponent(name) }

    func request(perToken: URL?, windowing: Windowing = .disjoint, context: Int = 32,
                 sets: [String] = ["general.txt", "task.jsonl"]) -> EvalRequest {
        EvalRequest(base: bench.model, tuned: .adapter(bench.adapter), sets: sets.map { EvalSetSource(file: url($0)) },
                    options: EvalOptions(windowing: windowing, context: context, batchSize: 2), perToken: perToken)
    }

    /// The file's lines, each checked to be one JSON object with every key.
    func lines(_ file: URL) throws -> [PerTokenRecord] {
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let keys: Set = ["model", "set", "document", "window", "position", "input_id", "token_id", "token", "text",
                         "nll", "scored"]
        return try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            let data = Data(line.utf8)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(line)")
            #expect(Set(object.keys) == keys, "\(line)")
            return try JSONCoding.decoder.decode(PerTokenRecord.self, from: data)
        }
    }

    func tokenizer() throws -> BPETokenizer { try #require(try ModelBundle.open(bench.model).tokenizer) }

    @Test func theScoredLinesSumToTheLossOfAnEvaluationWithoutThemAndTheCountsMatch() throws {
        let file = url("out/per-token.jsonl")
        let report = try ModelEvaluation.run(request(perToken: file))
        let plain = try ModelEvaluation.run(request(perToken: nil))
        let records = try lines(file)
        for (set, plainSet) in zip(report.sets, plain.sets) {
            for (model, result, plainResult) in [("base", set.base, plainSet.base),
                                                 ("tuned", try #require(set.tuned), try #require(plainSet.tuned))] {
                let mine = records.filter { $0.model == model && $0.set == set.name }
                let scored = mine.filter(\.scored)
                let sum = scored.compactMap(\.nll).reduce(0, +)
                #expect(abs(sum - plainResult.summedNLL) <= 1e-9 * plainResult.summedNLL, "\(model) \(set.name)")
                #expect(abs(result.summedNLL - plainResult.summedNLL) <= 1e-9 * plainResult.summedNLL)
                #expect(abs(result.standardError - plainResult.standardError) <= 1e-9)
                #expect(result.bytesScored == plainResult.bytesScored)
                #expect(scored.count == plainResult.tokensScored)
                #expect(mine.count == plainResult.windowPositions)
                #expect(Set(mine.map(\.window)).count == plainResult.windows)
            }
        }
        // The prompts of task.jsonl are masked: their targets get lines with NLLs, not scored.
        let masked = records.filter { $0.set == "task.jsonl" && !$0.scored }
        #expect(!masked.isEmpty)
        #expect(masked.allSatisfy { ($0.nll ?? -1) > 0 })
        #expect(records.first?.model == "base" && records.last?.model == "tuned")
    }

    @Test func eachLineIsThePositionOfItsWindowAsTheModelComputesItAlone() throws {
        let file = url("per-token.jsonl")
        _ = try ModelEvaluation.run(request(perToken: file))
        let records = try lines(file).filter { $0.model == "base" && $0.set == "general.txt" }
        let model = try ModelBundle.open(bench.model).model
        for window in Set(records.map(\.window)) {
            let lines = records.filter { $0.window == window }.sorted { $0.position < $1.position }
            #expect(lines.map(\.position) == Array(0..<lines.count))
            // A window's inputs are the previous positions' targets.
            for (line, next) in zip(lines, lines.dropFirst()) { #expect(next.inputID == line.tokenID) }
            let inputs = lines.map { Int32($0.inputID) }
            let targets = lines.map { Int32($0.tokenID ?? Int(CrossEntropy.ignoreIndex)) }
            let workspace = try Workspace(config: model.config, batch: 1, time: inputs.count, training: false)
            try model.forward(TokenBatch(batch: 1, time: inputs.count, inputs: inputs, targets: targets), workspace: workspace)
            for (line, alone) in zip(lines, workspace.tokenLoss) {
                #expect(abs((line.nll ?? .nan) - Double(alone)) <= 1e-5, "window \(window) position \(line.position)")
            }
        }
    }

    @Test func theTokenTextRoundTrips() throws {
        let file = url("per-token.jsonl")
        _ = try ModelEvaluation.run(request(perToken: file))
        let tokenizer = try tokenizer()
        let records = try lines(file)
        for record in records {
            let id = try #require(record.tokenID)
            #expect(tokenizer.id(of: try #require(record.token)) == id)
            #expect(record.text == (try tokenizer.decode([id])))
        }
        // Disjoint windows score every token of the text after the first, once, in order.
        let text = try String(contentsOf: url("general.txt"), encoding: .utf8)
        let scoredText = records.filter { $0.model == "base" && $0.set == "general.txt" && $0.scored }
            .compactMap(\.text).joined()
        #expect(scoredText == String(text.dropFirst()))
    }

    @Test func aLlamaCppChunkThatEndsTheDocumentHasANullTargetLast() throws {
        try bench.write(String(repeating: "0123456789abcdef", count: 4), "chunks.txt")
        let file = url("per-token.jsonl")
        let report = try ModelEvaluation.run(request(perToken: file, windowing: .llamaCpp, context: 16, sets: ["chunks.txt"]))
        let records = try lines(file).filter { $0.model == "base" }
        #expect(records.count == 64)
        #expect(records.filter(\.scored).count == report.sets[0].base.tokensScored)
        let last = try #require(records.last)
        #expect(last.tokenID == nil && last.token == nil && last.text == nil && last.nll == nil && !last.scored)
        #expect(last.window == 3 && last.position == 15)
        // llama.cpp scores positions 8..<15 of each chunk; the others still get their NLL.
        #expect(records.filter(\.scored).map(\.position) == Array(repeating: Array(8..<15), count: 4).flatMap { $0 })
        #expect(records.dropLast().allSatisfy { $0.nll != nil })
        let raw = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").filter { $0.contains("\"model\":\"base\"") }
        #expect(raw.last?.contains("\"nll\":null") == true)
    }

    @Test(.requiresDemoModel) func smolLM2sLinesAreTransformersNLLsTokenByToken() throws {
        let file = url("smollm2.jsonl")
        for (index, sequence) in try SmolLM2PerplexityTests().sequences().enumerated() {
            try bench.write(sequence.text, "seq\(index).txt")
            _ = try ModelEvaluation.run(EvalRequest(base: DemoModelFile.url, sets: [EvalSetSource(file: url("seq\(index).txt"))],
                                                    perToken: file))
            let records = try lines(file)
            #expect(records.map(\.inputID) == sequence.ids.dropLast().map(Int.init))
            #expect(records.compactMap(\.tokenID) == sequence.ids.dropFirst().map(Int.init))
            let differences = zip(records.compactMap(\.nll), sequence.nll).map { abs($0 - Double($1)) }
            #expect(differences.count == sequence.nll.count)
            #expect(differences.max() ?? .infinity < 1e-4, "seq\(index): max |Δnll| \(differences.max() ?? .nan)")
            print("seq\(index): \(differences.count) tokens, max |Δnll| vs transformers \(differences.max() ?? .nan)")
        }
    }

    @Test func aBadPathIsRefusedBeforeAnyModelIsRead() throws {
        func reason(_ destination: URL) -> String? {
            do {
                _ = try ModelEvaluation.run(request(perToken: destination))
                return nil
            } catch EvalError.writeFailed(let path, let reason) {
                #expect(path == destination.path)
                return reason
            } catch {
                Issue.record("unexpected \(error)")
                return nil
            }
        }
        #expect(reason(bench.directory)?.contains("is a directory") == true)
        try bench.write("notes", "notes.txt")
        #expect(reason(url("notes.txt/lines.jsonl")) != nil, "a path under a regular file")
        #expect(reason(url("general.txt"))?.contains("it is one of the files this evaluation reads") == true)
        #expect(reason(bench.model.appendingPathComponent("lines.jsonl"))?.contains("it lies in \(bench.model.path)") == true)
        // Refused before the (here missing) base model is opened.
        #expect(throws: EvalError.writeFailed(path: bench.directory.path,
                                              reason: "it is a directory; give a file path for the per-token lines")) {
            try ModelEvaluation.run(EvalRequest(base: url("no-model.gguf"), sets: [EvalSetSource(file: url("general.txt"))],
                                                perToken: bench.directory))
        }
        #expect(try String(contentsOf: url("general.txt"), encoding: .utf8).hasPrefix("A quiet river"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: bench.directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: bench.model.appendingPathComponent("lines.jsonl").path))
    }

    @Test func anEvaluationThatFailsHalfwayLeavesTheOldFileAndNoPartOfTheNewOne() throws {
        let file = url("per-token.jsonl")
        try bench.write("old\n", "per-token.jsonl")
        // The base model's lines are written, then the tuned adapter's weights cannot be read.
        try bench.write("not safetensors", "adapter/adapter_model.safetensors")
        #expect(throws: (any Error).self) { try ModelEvaluation.run(request(perToken: file)) }
        #expect(try String(contentsOf: file, encoding: .utf8) == "old\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: bench.directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func windowPositionsAreWrittenUnderTheirNameAndReadFromOldRecordsTokensRead() throws {
        let result = EvalResult(windowing: .disjoint, context: 8, summed: 10, squares: 20, scored: 5, bytes: nil,
                                windows: 2, windowPositions: 16, seconds: 2)
        let json = try #require(String(data: try JSONCoding.fileEncoder.encode(result), encoding: .utf8))
        #expect(json.contains("\"window_positions\" : 16"))
        #expect(!json.contains("tokens_read"))
        let old = json.replacingOccurrences(of: "\"window_positions\"", with: "\"tokens_read\"")
        let read = try JSONCoding.decoder.decode(EvalResult.self, from: Data(old.utf8))
        #expect(read == result)
        #expect(read.windowPositions == 16)
    }
}
