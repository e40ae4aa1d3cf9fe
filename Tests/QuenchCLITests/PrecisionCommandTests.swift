import Foundation
import QuenchTestSupport
import Testing

/// `--precision fp32|bf16` on the commands that run a model: parsed, refused on a CPU without bf16
/// (simulated) before anything is loaded, named in the error, and reported in `--json`.
@Suite struct PrecisionCommandTests {
    static let withoutBF16 = ["QUENCH_SIMULATE_CPU_WITHOUT_BF16": "1"]
    static let missingModel = "/nonexistent/quench-precision-model.gguf"

    @Test(arguments: [
        ["eval", "--data", "/nonexistent/set.txt"], ["generate", "--prompt", "hi"], ["bench", "train"],
        ["bench", "forward"], ["bench", "eval"],
    ])
    func bf16IsRefusedBeforeTheModelIsLoaded(_ command: [String]) throws {
        let result = try QuenchBinary.run(command + ["--model", Self.missingModel, "--precision", "bf16"],
                                          environment: Self.withoutBF16)
        #expect(result.status != 0)
        #expect(result.standardError.contains("--precision: precision bf16 is not available"), "\(result.standardError)")
        #expect(result.standardError.contains("QUENCH_SIMULATE_CPU_WITHOUT_BF16=1"), "\(result.standardError)")
        #expect(!result.standardError.contains("quench-precision-model"), "the model must not be opened: \(result.standardError)")
        #expect(!result.standardError.contains("Usage:"), "a CPU's limits are not a usage mistake: \(result.standardError)")
    }

    @Test func aBF16JobStopsAtItsTrainStageNamingTheSpecsKey() throws {
        let folder = try TemporaryDirectory.create("precision-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TinyModel.writeJob(in: folder)
        let spec = folder.appendingPathComponent("bf16.yaml")
        let text = TinyModel.jobSpec(name: "bf16", model: "{path: tiny-llama, sha256: \(try TinyModel.pins(in: folder))}",
                                     steps: 3, checkpointEvery: 3, evaluateEvery: 3, tail: "registry: {name: tiny-bf16}")
        try Data(text.replacingOccurrences(of: "training:\n", with: "training:\n  precision: bf16\n").utf8).write(to: spec)
        var environment = Self.withoutBF16
        environment["QUENCH_HOME"] = folder.appendingPathComponent("home").path
        let result = try QuenchBinary.run(["run", spec.path], environment: environment, in: folder)
        #expect(result.status != 0)
        #expect(result.output.contains("training.precision in \(spec.path): precision bf16 is not available"), "\(result.output)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("runs").path)
        let run = folder.appendingPathComponent("runs").appendingPathComponent(try #require(runs.first))
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("train/checkpoints").path))
        let markdown = try String(contentsOf: run.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("Precision: training bf16; evaluation and gate fp32"), "\(markdown)")
    }

    @Test func trainNamesTheConfigurationKeyOrTheFlagThatAskedForBF16() throws {
        let folder = try TemporaryDirectory.create("precision-train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("bf16.yaml")
        try Data("""
            model: \(Self.missingModel)
            output: \(folder.appendingPathComponent("out").path)
            data: {train: \(folder.appendingPathComponent("missing.jsonl").path)}
            precision: bf16
            """.utf8).write(to: config)
        let fromKey = try QuenchBinary.run(["train", config.path], environment: Self.withoutBF16)
        #expect(fromKey.status != 0)
        #expect(fromKey.standardError.contains("precision in \(config.path): precision bf16 is not available"),
                "\(fromKey.standardError)")
        #expect(!fromKey.standardError.contains("quench-precision-model") && !fromKey.standardError.contains("missing.jsonl"))

        let fp32 = folder.appendingPathComponent("fp32.yaml")
        try Data(String(decoding: try Data(contentsOf: config), as: UTF8.self)
            .replacingOccurrences(of: "precision: bf16", with: "precision: fp32").utf8).write(to: fp32)
        let fromFlag = try QuenchBinary.run(["train", fp32.path, "--precision", "bf16"], environment: Self.withoutBF16)
        #expect(fromFlag.status != 0)
        #expect(fromFlag.standardError.contains("--precision: precision bf16 is not available"), "\(fromFlag.standardError)")

        // The flag overrides the configuration: fp32 goes on to open the (missing) model.
        let overridden = try QuenchBinary.run(["train", config.path, "--precision", "fp32"], environment: Self.withoutBF16)
        #expect(overridden.status != 0)
        #expect(!overridden.standardError.contains("not available") && overridden.standardError.contains("quench-precision-model"),
                "\(overridden.standardError)")
    }

    @Test func unknownValuesAreRefusedWithTheChoices() throws {
        let result = try QuenchBinary.run(["eval", "--data", "x.txt", "--precision", "fp16"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("fp16") && result.standardError.contains("fp32")
                && result.standardError.contains("bf16"), "\(result.standardError)")
    }

    @Test(arguments: [["train"], ["eval"], ["generate"], ["bench", "train"], ["bench", "forward"], ["bench", "eval"]])
    func helpTeachesWhatBF16Is(_ command: [String]) throws {
        let help = try QuenchBinary.run(command + ["--help"]).output
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for phrase in ["--precision <fp32|bf16>", "autocast-style mixed precision", "fp32 accumulation",
                       "AVX512_BF16 or AMX-BF16", "reference numbers quality gates use"] {
            #expect(help.contains(phrase), "\(command) --help lacks '\(phrase)'")
        }
    }

    @Test func jsonOutputsNameThePrecision() throws {
        let folder = try TemporaryDirectory.create("precision-json")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try TinyLlamaFixture.copy(into: folder)
        let text = folder.appendingPathComponent("set.txt")
        try Data(String(repeating: "one two three four five six seven eight nine ten. ", count: 8).utf8).write(to: text)
        let eval = try QuenchBinary.run(["eval", "--model", model.path, "--data", text.path, "--context", "64", "--json"])
        #expect(eval.status == 0, "\(eval.output)")
        #expect(try jsonObject(eval.standardOutput)["precision"] as? String == "fp32")
        let generate = try QuenchBinary.run(["generate", "--model", model.path, "--prompt", "one two", "--max-tokens", "4",
                                             "--precision", "fp32", "--json"])
        #expect(generate.status == 0, "\(generate.output)")
        let generated = try jsonObject(generate.standardOutput)
        #expect(generated["precision"] as? String == "fp32" && generated["text"] != nil, "\(generated)")
    }

    func jsonObject(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
