import Foundation
import QuenchEval
import QuenchModel
import QuenchTrain
import Testing
@testable import QuenchData
import QuenchTestSupport

/// Perplexity of the real SmolLM2-135M-Instruct against transformers' per-token NLLs
/// (`seq{i}.nll` in ../shared/fixtures/smollm2).
@Suite struct SmolLM2PerplexityTests {
    struct Sequence {
        let text: String
        let ids: [Int32]
        let nll: [Float]
        var expectedPerplexity: Double { exp(nll.map(Double.init).reduce(0, +) / Double(nll.count)) }
    }

    func sequences() throws -> [Sequence] {
        let reference = try SafetensorsFile(contentsOf: SharedFixtures.url("smollm2/reference.safetensors"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: SharedFixtures.url("smollm2/reference.json")))
        let texts = try #require(((json as? [String: Any])?["sequences"] as? [[String: Any]])?.compactMap { $0["text"] as? String })
        return try texts.enumerated().map { index, text in
            Sequence(text: text, ids: try reference.int32s("seq\(index).input_ids"), nll: try reference.floats("seq\(index).nll"))
        }
    }

    func relativeError(_ value: Double, _ expected: Double) -> Double { abs(value / expected - 1) }

    @Test(.requiresDemoModel) func perplexityMatchesTransformersWithinATenthOfAPercent() throws {
        let url = DemoModelFile.url
        let bundle = try ModelBundle.open(url)
        let sequences = try sequences()
        #expect(sequences.count == 3)
        for (index, sequence) in sequences.enumerated() {
            let set = TokenizedEvalSet(name: "seq\(index)", file: url, documents: [
                TokenizedExample(ids: sequence.ids, scored: Array(repeating: true, count: sequence.ids.count)),
            ])
            let result = try Evaluator.evaluate(model: bundle.model, set: set, options: EvalOptions(context: 512))
            #expect(result.tokensScored == sequence.nll.count)
            #expect(relativeError(result.perplexity, sequence.expectedPerplexity) < 1e-3,
                    "seq\(index): \(result.perplexity) vs \(sequence.expectedPerplexity)")
        }
        // All three in one set: packed, batched, one perplexity over every scored token.
        let all = TokenizedEvalSet(name: "all", file: url, documents: sequences.map {
            TokenizedExample(ids: $0.ids, scored: Array(repeating: true, count: $0.ids.count))
        })
        let result = try Evaluator.evaluate(model: bundle.model, set: all, options: EvalOptions(context: 512))
        let nll = sequences.flatMap(\.nll).map(Double.init)
        #expect(result.tokensScored == nll.count)
        #expect(relativeError(result.perplexity, exp(nll.reduce(0, +) / Double(nll.count))) < 1e-3)
    }

    @Test(.requiresDemoModel) func aTextFileIsTokenizedAndScoredAsTheReferenceDid() throws {
        let url = DemoModelFile.url
        let bundle = try ModelBundle.open(url)
        let tokenizer = try #require(bundle.tokenizer)
        #expect(try BOSPolicy.addsBOS(bundle) == false, "SmolLM2's GGUF says add_bos_token = false")
        let directory = try TemporaryDirectory.create("eval")
        defer { try? FileManager.default.removeItem(at: directory) }
        let sequence = try sequences()[0]
        let file = directory.appendingPathComponent("seq0.txt")
        try Data(sequence.text.utf8).write(to: file)
        let set = try EvalSetSource(file: file).load(tokenizer: tokenizer, chatTemplate: bundle.chatTemplate, addBOS: false)
        #expect(set.documents.first?.ids == sequence.ids)
        let result = try Evaluator.evaluate(model: bundle.model, set: set, options: EvalOptions(context: 512))
        #expect(relativeError(result.perplexity, sequence.expectedPerplexity) < 1e-3)
        // Bits per byte cover the text of every scored token: all of it but the first token's.
        let firstBytes = tokenizer.bytes(for: Int(sequence.ids[0]))?.count ?? 0
        #expect(result.bytesScored == sequence.text.utf8.count - firstBytes)
        let bitsPerByte = try #require(result.bitsPerByte)
        #expect(abs(bitsPerByte - result.summedNLL / (Double(sequence.text.utf8.count - firstBytes) * log(2))) < 1e-9)
    }
}
