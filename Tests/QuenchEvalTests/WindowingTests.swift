import Foundation
@testable import QuenchEval
import QuenchGate
import QuenchModel
import QuenchTensor
import QuenchTrain
import Testing
@testable import QuenchData
import QuenchTestSupport

/// The three windowings on tiny-llama, against per-token NLLs computed window by window by hand:
/// each expected window is run alone (batch 1) and the targets the windowing must score are summed.
@Suite struct WindowingTests {
    let model: CausalLM
    let ids = EvalFixtures.tokens(20)

    init() throws {
        model = try ModelBundle.open(SharedFixtures.url("tiny-llama")).model
    }

    /// −log p of each next token of the window ids[start..<start+length] run alone; NaN where the
    /// target lies past the end of `tokens`.
    func windowNLL(_ tokens: [Int32], start: Int, length: Int, firstInput: Int32? = nil) throws -> [Double] {
        var inputs = Array(tokens[start..<(start + length)])
        if let firstInput { inputs[0] = firstInput }
        let targets = (0..<length).map { start + $0 + 1 < tokens.count ? tokens[start + $0 + 1] : CrossEntropy.ignoreIndex }
        let workspace = try Workspace(config: model.config, batch: 1, time: length, training: false)
        try model.forward(TokenBatch(batch: 1, time: length, inputs: inputs, targets: targets), workspace: workspace)
        return workspace.tokenLoss.enumerated().map { targets[$0.offset] == CrossEntropy.ignoreIndex ? .nan : Double($0.element) }
    }

    func sum(_ values: [Double], _ range: Range<Int>) -> Double { values[range].reduce(0, +) }

    func evaluate(_ documents: [TokenizedExample], _ windowing: Windowing, context: Int = 8, batch: Int? = nil,
                  bos: Int32? = nil) throws -> EvalResult {
        let set = TokenizedEvalSet(name: "t", file: URL(fileURLWithPath: "/t.txt"), documents: documents, bos: bos)
        return try Evaluator.evaluate(model: model, set: set, options: EvalOptions(windowing: windowing, context: context,
                                                                                   batchSize: batch))
    }

    func stream(_ tokens: [Int32]) -> TokenizedExample {
        TokenizedExample(ids: tokens, scored: Array(repeating: true, count: tokens.count))
    }

    func expectClose(_ a: Double, _ b: Double, _ comment: Comment? = nil) {
        #expect(abs(a - b) <= 1e-4 * max(1, abs(b)), comment)
    }

    @Test func windowsAreCutAsEachToolCutsThem() {
        func plan(_ windowing: Windowing) -> [[Int]] {
            WindowPlanner.windows(document: 0, count: 20, windowing: windowing, context: 8, bos: nil)
                .map { [$0.start, $0.length, $0.scored.lowerBound, $0.scored.upperBound] }
        }
        // 19 targets: 8 + 8 + the last 3, the last window right-aligned to a full context.
        #expect(plan(.disjoint) == [[0, 8, 0, 8], [8, 8, 0, 8], [11, 8, 5, 8]])
        #expect(plan(.stride(4)) == [[0, 8, 0, 8], [4, 8, 4, 8], [8, 8, 4, 8], [11, 8, 5, 8]])
        #expect(plan(.stride(8)) == plan(.disjoint))
        // ⌊20/8⌋ = 2 chunks, positions 4, 5, 6 of each predict tokens 5...7 and 13...15.
        #expect(plan(.llamaCpp) == [[0, 8, 4, 7], [8, 8, 4, 7]])
    }

    @Test func disjointScoresEveryTokenAfterTheFirstOnce() throws {
        let first = try windowNLL(ids, start: 0, length: 8), second = try windowNLL(ids, start: 8, length: 8)
        let last = try windowNLL(ids, start: 11, length: 8)
        let expected = sum(first, 0..<8) + sum(second, 0..<8) + sum(last, 5..<8)
        for batch in [1, nil] {
            let result = try evaluate([stream(ids)], .disjoint, batch: batch)
            #expect(result.tokensScored == 19)
            expectClose(result.summedNLL, expected)
            expectClose(result.perplexity, exp(expected / 19))
        }
    }

    @Test func strideKeepsAtLeastContextMinusKTokensOfHistory() throws {
        let windows = try [0, 4, 8, 11].map { try windowNLL(ids, start: $0, length: 8) }
        let expected = sum(windows[0], 0..<8) + sum(windows[1], 4..<8) + sum(windows[2], 4..<8) + sum(windows[3], 5..<8)
        let result = try evaluate([stream(ids)], .stride(4))
        #expect(result.tokensScored == 19)
        expectClose(result.summedNLL, expected)
        let whole = try evaluate([stream(ids)], .stride(8)), disjoint = try evaluate([stream(ids)], .disjoint)
        #expect(whole.summedNLL == disjoint.summedNLL)
    }

    @Test func llamaCppScoresTheSecondHalfOfEachChunkWithBOSFirst() throws {
        let plain = try [0, 8].map { try windowNLL(ids, start: $0, length: 8) }
        let result = try evaluate([stream(ids)], .llamaCpp)
        #expect(result.tokensScored == 6)
        expectClose(result.summedNLL, sum(plain[0], 4..<7) + sum(plain[1], 4..<7))
        let withBOS = try [0, 8].map { try windowNLL(ids, start: $0, length: 8, firstInput: 1) }
        let bosResult = try evaluate([stream(ids)], .llamaCpp, bos: 1)
        expectClose(bosResult.summedNLL, sum(withBOS[0], 4..<7) + sum(withBOS[1], 4..<7))
        #expect(abs(bosResult.summedNLL - result.summedNLL) > 1e-6, "BOS must change what the model reads")
        // The standard error is llama-perplexity's: √((mean x² − mean²) / (n − 1)).
        let values = Array(plain[0][4..<7]) + Array(plain[1][4..<7])
        let mean = values.reduce(0, +) / 6, meanSquare = values.map { $0 * $0 }.reduce(0, +) / 6
        expectClose(result.standardError, ((meanSquare - mean * mean) / 5).squareRoot())
    }

    @Test func theTrainerMaskDecidesWhichTargetsCount() throws {
        let masked = TokenizedExample(ids: ids, scored: (0..<20).map { $0 >= 6 })
        let first = try windowNLL(ids, start: 0, length: 8), second = try windowNLL(ids, start: 8, length: 8)
        let last = try windowNLL(ids, start: 11, length: 8)
        let result = try evaluate([masked], .disjoint)
        #expect(result.tokensScored == 14)
        expectClose(result.summedNLL, sum(first, 5..<8) + sum(second, 0..<8) + sum(last, 5..<8))
    }

    @Test func shortDocumentsArePackedIntoOneRowAndStillSeeOnlyThemselves() throws {
        let documents = [Array(ids[0..<5]), Array(ids[5..<9]), Array(ids[9..<18])]
        var expected = 0.0
        for document in documents {
            expected += sum(try windowNLL(document, start: 0, length: document.count - 1), 0..<(document.count - 1))
        }
        let set = TokenizedEvalSet(name: "t", file: URL(fileURLWithPath: "/t.jsonl"), documents: documents.map(stream))
        let windows = try Evaluator.plan(set: set, options: EvalOptions(context: 8), maxPositions: 128)
        #expect(WindowBatcher(set: set, windows: windows).rows == [[0, 1], [2]])
        let result = try evaluate(documents.map(stream), .disjoint)
        #expect(result.tokensScored == 4 + 3 + 8)
        expectClose(result.summedNLL, expected)
    }

    @Test func setsThatScoreNothingAreErrors() throws {
        #expect(throws: EvalError.self) { try evaluate([stream([5])], .disjoint) }
        #expect(throws: EvalError.self) { try evaluate([stream(Array(ids[0..<7]))], .llamaCpp) }
        #expect(throws: EvalError.self) {
            try evaluate([TokenizedExample(ids: ids, scored: Array(repeating: false, count: 20))], .disjoint)
        }
        #expect(throws: EvalError.self) { try evaluate([stream(ids)], .disjoint, context: 256) }
    }

    @Test func windowingNamesRoundTripAndBadOnesAreRejected() throws {
        for name in ["disjoint", "llama-cpp", "stride=128"] { #expect(try Windowing(name: name).description == name) }
        for name in ["", "rolling", "stride=0", "stride=-3", "stride=x"] {
            #expect(throws: EvalError.unknownWindowing(name: name)) { try Windowing(name: name) }
        }
        #expect(throws: EvalError.self) { try Windowing.stride(9).validate(context: 8) }
    }
}
