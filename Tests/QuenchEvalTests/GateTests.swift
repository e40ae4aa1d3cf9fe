import Foundation
@testable import QuenchEval
import QuenchGate
import QuenchModel
import QuenchSecurity
import QuenchTensor
import QuenchTrain
import Testing
@testable import QuenchData
@testable import QuenchRandom
import QuenchTestSupport

/// Gates end to end on tiny-llama with a byte tokenizer, each threshold on both of its sides,
/// and the errors a broken gate or set gives before any work starts.
@Suite struct GateTests {
    /// A temp directory with the tiny model, a LoRA adapter trained from it (random B, so it
    /// differs from the base), a task set (prompt/completion JSONL) and a general text.
    struct Workbench {
        let directory: URL
        let model: URL
        let adapter: URL

        init() throws {
            directory = try TemporaryDirectory.create("eval")
            model = try TinyLlamaFixture.copy(into: directory)
            let base = try ModelBundle.open(model).model
            let adapters = try LoRAAdapters(model: base, rank: 2, alpha: 4, modules: ["q", "v", "down"], seed: 3)
            var generator = SplitMix64(seed: 11)
            for target in adapters.targets {
                let b = try adapters.matrices(target).b
                for i in 0..<b.count { b.storage[i] = (generator.nextUnitFloat() - 0.5) * 0.2 }
            }
            adapter = directory.appendingPathComponent("adapter")
            try PEFTAdapterFormat.write(adapters, model: base, baseModel: model.path, to: adapter)
            let records = (0..<6).map { i in
                "{\"prompt\": \"Convert \(i * 10) C to F.\", \"completion\": \" It is \(i * 18 + 32) F.\"}"
            }
            try write(records.joined(separator: "\n") + "\n", "task.jsonl")
            try write(String(repeating: "A quiet river runs past the old mill and on toward the sea. ", count: 4), "general.txt")
        }

        func write(_ text: String, _ name: String) throws {
            try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        }

        /// Writes a gate with these thresholds (YAML lines) and returns its URL.
        func gate(_ thresholds: String, extra: String = "", name: String = "gate.yaml") throws -> URL {
            try write("""
                # a test gate
                windowing: disjoint
                context: 32
                \(extra)
                sets:
                  - {name: task, path: task.jsonl, format: prompt_completion, role: task}
                  - name: general
                    path: general.txt
                    role: general
                thresholds:
                \(thresholds)
                """, name)
            return directory.appendingPathComponent(name)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: directory) }
    }

    @Test func aGateWritesEveryCheckAndEveryFileItDependsOn() throws {
        let bench = try Workbench()
        defer { bench.cleanUp() }
        let gate = try bench.gate("  max_perplexity: 1000\n  max_loss: 9\n  max_regression: 1\n  min_tokens: 20")
        let output = bench.directory.appendingPathComponent("out")
        let report = try GateRunner.run(gate: gate, base: bench.model, tuned: .adapter(bench.adapter), output: output,
                                        quenchVersion: "9.9.9", scrub: { $0 })
        #expect(report.passed, "\(report.reason)")
        #expect(report.checks.map(\.name) == ["min_tokens", "max_perplexity", "max_loss", "min_tokens", "max_regression"])
        let base = try #require(report.results.first?.comparison)
        #expect(base.tuned != nil && base.tuned?.summedNLL != base.base.summedNLL, "the adapter must change the model")
        #expect(base.base.tokensScored == base.tuned?.tokensScored)

        let json = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: output.appendingPathComponent("gate.json"))) as? [String: Any])
        #expect(json["schema"] as? String == "quench.gate/v1")
        #expect(json["passed"] as? Bool == true)
        #expect(json["quench_version"] as? String == "9.9.9")
        #expect(json["windowing"] as? String == "disjoint")
        #expect((json["reason"] as? String).map { !$0.contains("\n") && $0.hasPrefix("passed") } == true)
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.count == 5)
        for check in checks {
            #expect(Set(check.keys).isSuperset(of: ["name", "set", "metric", "threshold", "value", "passed"]))
        }
        let files = try #require(json["files"] as? [[String: String]])
        #expect(Set(files.compactMap { $0["role"] }) == ["gate", "eval_set", "base_model", "adapter"])
        for file in files {
            let path = try #require(file["path"])
            #expect(path.hasPrefix("/"))
            #expect(try FileDigest.sha256(of: URL(fileURLWithPath: path)) == file["sha256"])
        }
        #expect(files.contains { $0["path"] == bench.adapter.appendingPathComponent("adapter_model.safetensors").path })
        let markdown = try String(contentsOf: output.appendingPathComponent("gate.md"), encoding: .utf8)
        #expect(markdown.hasPrefix("# Quality gate: PASSED"))
    }

    @Test func aFailingThresholdFailsTheGateAndSaysWhyInOneLine() throws {
        let bench = try Workbench()
        defer { bench.cleanUp() }
        let gate = try bench.gate("  max_loss: 0.01\n  max_perplexity: 1000")
        let output = bench.directory.appendingPathComponent("out")
        let report = try GateRunner.run(gate: gate, base: bench.model, tuned: .adapter(bench.adapter), output: output,
                                        quenchVersion: "0", scrub: { $0 })
        #expect(!report.passed)
        #expect(report.reason.hasPrefix("failed max_loss on task: tuned mean loss"), "\(report.reason)")
        let markdown = try String(contentsOf: output.appendingPathComponent("gate.md"), encoding: .utf8)
        #expect(markdown.contains("FAILED") && markdown.contains(report.reason))
    }

    /// Results whose tuned loss is `tuned` and base loss `base` over `tokens` tokens.
    func comparison(base: Double, tuned: Double, tokens: Int = 100) -> SetComparison {
        func result(_ loss: Double) -> EvalResult {
            EvalResult(windowing: .disjoint, context: 8, summed: loss * Double(tokens), squares: 0, scored: tokens,
                       bytes: nil, windows: 1, windowPositions: tokens, seconds: 1)
        }
        return SetComparison(name: "s", path: "/s", base: result(base), tuned: result(tuned))
    }

    func passes(_ thresholds: GateConfig.Thresholds, role: GateConfig.Role, _ comparison: SetComparison) -> Bool {
        let set = GateConfig.EvalSet(name: "s", file: URL(fileURLWithPath: "/s"), format: nil, role: role)
        let checks = GateChecks.make(thresholds, sets: [EvaluatedSet(set: set, comparison: comparison)])
        return !checks.isEmpty && checks.allSatisfy(\.passed)
    }

    @Test func everyThresholdPassesOnOneSideAndFailsOnTheOther() {
        // max_perplexity 20 ⇔ loss ln 20 ≈ 2.9957
        #expect(passes(.init(maxPerplexity: 20), role: .task, comparison(base: 3, tuned: 2.99)))
        #expect(!passes(.init(maxPerplexity: 20), role: .task, comparison(base: 3, tuned: 3.0)))
        #expect(passes(.init(maxLoss: 1.5), role: .task, comparison(base: 3, tuned: 1.49)))
        #expect(!passes(.init(maxLoss: 1.5), role: .task, comparison(base: 3, tuned: 1.51)))
        // min_improvement 0.1: (2 − 1.79) / 2 = 0.105 passes, (2 − 1.81) / 2 = 0.095 fails
        #expect(passes(.init(minImprovement: 0.1), role: .task, comparison(base: 2, tuned: 1.79)))
        #expect(!passes(.init(minImprovement: 0.1), role: .task, comparison(base: 2, tuned: 1.81)))
        // max_regression 0.05: 2 → 2.09 is +4.5%, 2 → 2.11 is +5.5%
        #expect(passes(.init(maxRegression: 0.05), role: .general, comparison(base: 2, tuned: 2.09)))
        #expect(!passes(.init(maxRegression: 0.05), role: .general, comparison(base: 2, tuned: 2.11)))
        #expect(passes(.init(minTokens: 100), role: .general, comparison(base: 2, tuned: 2, tokens: 100)))
        #expect(!passes(.init(minTokens: 100), role: .general, comparison(base: 2, tuned: 2, tokens: 99)))
        // A NaN loss never passes.
        #expect(!passes(.init(maxLoss: 1.5), role: .task, comparison(base: 3, tuned: .nan)))
        // Task thresholds leave general sets alone, and the reverse.
        let general = GateConfig.EvalSet(name: "g", file: URL(fileURLWithPath: "/g"), format: nil, role: .general)
        #expect(GateChecks.make(.init(maxLoss: 1), sets: [EvaluatedSet(set: general, comparison: comparison(base: 3, tuned: 3))])
                    .isEmpty)
    }

    @Test func anUnknownKeyIsReportedWithItsLineBeforeAnyWork() throws {
        let bench = try Workbench()
        defer { bench.cleanUp() }
        let gate = try bench.gate("  max_perplexty: 20", extra: "contxt: 8")
        do {
            _ = try GateConfig.load(contentsOf: gate)
            Issue.record("an unknown key must be an error")
        } catch EvalError.invalidGate(let file, let problems) {
            #expect(file == gate.path)
            #expect(problems.map(\.key) == ["contxt", "thresholds.max_perplexty"])
            #expect(problems.map(\.line) == [4, 11])
            #expect("\(problems[1])".contains("did you mean 'max_perplexity'?"))
        }
    }

    @Test func aMissingSetFileIsAnErrorNamingThePath() throws {
        let bench = try Workbench()
        defer { bench.cleanUp() }
        try FileManager.default.removeItem(at: bench.directory.appendingPathComponent("general.txt"))
        let gate = try bench.gate("  max_loss: 2")
        do {
            _ = try GateRunner.run(gate: gate, base: bench.model, tuned: .adapter(bench.adapter),
                                   output: bench.directory.appendingPathComponent("out"), quenchVersion: "0", scrub: { $0 })
            Issue.record("a missing set must be an error")
        } catch EvalError.invalidGate(_, let problems) {
            #expect(problems.count == 1)
            #expect(problems.first?.key == "sets.path" && problems.first?.line == 8)
            #expect("\(problems[0])".contains(bench.directory.appendingPathComponent("general.txt").path))
        }
        #expect(!FileManager.default.fileExists(atPath: bench.directory.appendingPathComponent("out").path))
    }

    @Test func emptySetsAreClearErrors() throws {
        let bench = try Workbench()
        defer { bench.cleanUp() }
        try bench.write("  \n", "general.txt")
        let gate = try bench.gate("  max_loss: 2")
        #expect(throws: EvalError.emptySet(file: bench.directory.appendingPathComponent("general.txt").path,
                                           reason: "the file holds no text")) {
            try GateRunner.run(gate: gate, base: bench.model, tuned: .adapter(bench.adapter),
                               output: bench.directory.appendingPathComponent("out"), quenchVersion: "0", scrub: { $0 })
        }
        try bench.write("", "task.jsonl")
        try bench.write("Some text.", "general.txt")
        #expect(throws: DatasetError.empty(file: "task.jsonl")) {
            try GateRunner.run(gate: gate, base: bench.model, tuned: .adapter(bench.adapter),
                               output: bench.directory.appendingPathComponent("out"), quenchVersion: "0", scrub: { $0 })
        }
    }

    @Test func schemaMistakesAreAllReportedAtOnce() throws {
        let bench = try Workbench()
        defer { bench.cleanUp() }
        try bench.write("""
            windowing: rolling
            context: 1
            sets: []
            thresholds: {max_loss: low, min_tokens: 0}
            """, "bad.yaml")
        do {
            _ = try GateConfig.load(contentsOf: bench.directory.appendingPathComponent("bad.yaml"))
            Issue.record("a broken gate must be an error")
        } catch EvalError.invalidGate(_, let problems) {
            #expect(Set(problems.map(\.key)) == ["windowing", "context", "sets", "thresholds.max_loss",
                                                 "thresholds.min_tokens"])
        }
        #expect(throws: EvalError.self) { try GateConfig.load(contentsOf: bench.directory.appendingPathComponent("none.yaml")) }
        #expect(throws: EvalError.self) {
            try GateRunner.run(gate: bench.gate("  max_loss: 2"), base: bench.model,
                               tuned: .adapter(bench.directory.appendingPathComponent("no-adapter")),
                               output: bench.directory.appendingPathComponent("out"), quenchVersion: "0", scrub: { $0 })
        }
    }

    @Test func theRepositoryGatesAreValid() throws {
        let gate = try GateConfig.load(contentsOf: SharedFixtures.repository.appendingPathComponent("evaluations/default-gate.yaml"))
        #expect(gate.thresholds.maxPerplexity == 20 && gate.thresholds.maxLoss == 1.5)
        #expect(gate.sets.contains { $0.role == .general } && gate.sets.contains { $0.role == .task })
    }
}
