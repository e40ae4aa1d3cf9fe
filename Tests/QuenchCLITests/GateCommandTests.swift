import Foundation
import Testing
import QuenchTestSupport

/// `quench eval` and `quench gate` run as a user runs them, on tiny-llama with a byte tokenizer
/// built in a temp directory: the exit code is the verdict (0 pass, 3 fail, 2 error).
@Suite struct GateCommandTests {
    let cli = CommandLineTests()

    /// A temp directory with tiny-llama + a 256-byte tokenizer, an adapter-free text set and a gate.
    func workspace() throws -> URL {
        let directory = try TemporaryDirectory.create("gate")
        _ = try TinyLlamaFixture.copy(into: directory)
        try Data(String(repeating: "Gates decide, numbers explain. ", count: 5).utf8)
            .write(to: directory.appendingPathComponent("text.txt"))
        return directory
    }

    func writeGate(_ directory: URL, maxLoss: Double, extra: String = "") throws -> String {
        let gate = directory.appendingPathComponent("gate.yaml")
        try Data("""
            context: 32
            sets:
              - {name: text, path: text.txt, role: task}
            thresholds: {max_loss: \(maxLoss), min_tokens: 10\(extra)}
            """.utf8).write(to: gate)
        return gate.path
    }

    @Test func helpNamesTheExitCodes() throws {
        let (status, output) = try cli.quench("gate", "--help")
        #expect(status == 0)
        #expect(output.contains("0 the model passed") && output.contains("3 it failed") && output.contains("2 an error"))
        let (evalStatus, evalOutput) = try cli.quench("eval", "--help")
        #expect(evalStatus == 0 && evalOutput.contains("llama-cpp") && evalOutput.contains("stride=K"))
    }

    @Test func theExitCodeIsTheVerdict() throws {
        let directory = try workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("tiny-llama").path
        let out = directory.appendingPathComponent("out").path
        let pass = try cli.quench("gate", "--gate", writeGate(directory, maxLoss: 50), "--model", model,
                                  "--tuned-model", model, "--out", out)
        #expect(pass.status == 0, "\(pass.output)")
        #expect(pass.output.contains("passed"))
        let fail = try cli.quench("gate", "--gate", writeGate(directory, maxLoss: 0.5), "--model", model,
                                  "--tuned-model", model, "--out", out)
        #expect(fail.status == 3, "\(fail.output)")
        #expect(fail.output.contains("failed max_loss on text"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/gate.json")))
        #expect((json as? [String: Any])?["passed"] as? Bool == false)
        let broken = try cli.quench("gate", "--gate", writeGate(directory, maxLoss: 1, extra: ", max_los: 2"),
                                    "--model", model, "--tuned-model", model, "--out", out)
        #expect(broken.status == 2)
        #expect(broken.output.contains("gate.yaml:4:") && broken.output.contains("thresholds.max_los"))
        let usage = try cli.quench("gate", "--model", model, "--out", out)
        #expect(usage.status == 64)
    }

    @Test func evalPrintsLossAndPerplexityAsJSON() throws {
        let directory = try workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("tiny-llama").path
        let text = directory.appendingPathComponent("text.txt").path
        let evaluated = try QuenchBinary.run(["eval", "--model", model, "--data", text, "--context", "32",
                                              "--windowing", "stride=16", "--json"])
        #expect(evaluated.status == 0, "\(evaluated.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(evaluated.standardOutput.utf8)) as? [String: Any],
                                "standard output is the JSON alone: \(evaluated.standardOutput)")
        #expect(json["windowing"] as? String == "stride=16")
        let set = try #require((json["sets"] as? [[String: Any]])?.first)
        let base = try #require(set["base"] as? [String: Any])
        #expect(base["tokens_scored"] as? Int == 154)
        #expect((base["perplexity"] as? Double).map { $0 > 1 } == true)
        let bad = try cli.quench("eval", "--model", model, "--data", text, "--windowing", "rolling")
        #expect(bad.status != 0 && bad.output.contains("unknown windowing 'rolling'"))
    }
}
