import Foundation
import Testing
import QuenchTestSupport

/// The quickstart job on the real SmolLM2 model, as `make demo` runs it: it must pass its gate with
/// the tuned model far better than the base on held-out people, in loss and in the answers it writes
/// (valid JSON with the right fields), and land in the registry as pending approval; the gate-fail job
/// must be rejected (exit 3), failing its accuracy checks, with the reason in the report's first line
/// and failing answers quoted under it.
@Suite(.serialized) struct QuickstartTests {
    var repository: URL { SharedFixtures.repository }

    func run(_ spec: String, in folder: URL) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["QUENCH_HOME"] = folder.appendingPathComponent("home").path
        environment["QUENCH_REGISTRY_CONFIG"] = folder.appendingPathComponent("registry.yaml").path
        environment.removeValue(forKey: "QUENCH_ACTOR")
        let result = try QuenchBinary.run(["run", repository.appendingPathComponent(spec).path, "--runs",
                                           folder.appendingPathComponent("runs").path, "--json"], base: environment, in: repository)
        return (result.status, result.standardOutput)
    }

    /// Each model's accuracy per metric on the generative set `set` of a report.json.
    func taskAccuracies(_ report: [String: Any], set: String) throws -> (base: [String: Double], tuned: [String: Double])? {
        let evaluation = (report["evaluation"] as? [String: Any])?["evaluation"] as? [String: Any]
        guard let task = (evaluation?["tasks"] as? [[String: Any]])?.first(where: { $0["name"] as? String == set }) else { return nil }
        func accuracies(_ side: String) -> [String: Double] {
            let list = (task[side] as? [String: Any])?["accuracies"] as? [[String: Any]] ?? []
            return Dictionary(list.compactMap { entry in
                guard let name = (entry["metric"] as? [String: Any])?["name"] as? String,
                      let value = (entry["statistic"] as? [String: Any])?["accuracy"] as? Double else { return nil }
                return (name, value)
            }, uniquingKeysWith: { first, _ in first })
        }
        return (accuracies("base"), accuracies("tuned"))
    }

    @Test(.requiresQuickstartModel) func theQuickstartPassesItsGateAndTheGateFailJobIsRejected() throws {
        let folder = try TemporaryDirectory.create("quickstart")
        defer { try? FileManager.default.removeItem(at: folder) }
        let users = Set([ProcessInfo.processInfo.environment["USER"] ?? NSUserName(), NSUserName()])
        try Data(("roles:\n" + users.map { "  \($0): [trainer]\n" }.joined()).utf8)
            .write(to: folder.appendingPathComponent("registry.yaml"))

        let (status, output) = try run("jobs/smollm2-135m_lora_quickstart.yaml", in: folder)
        #expect(status == 0, "\(output)")
        let outcome = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(outcome["gate_passed"] as? Bool == true)
        #expect(outcome["registered"] as? String == "smollm2-135m-person-records@1")
        let reportURL = URL(fileURLWithPath: try #require(outcome["report"] as? String))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: reportURL)) as? [String: Any])
        let sets = try #require((report["evaluation"] as? [String: Any])?["sets"] as? [[String: Any]])
        let task = try #require(sets.first { $0["role"] as? String == "task" })
        let base = try #require((task["base"] as? [String: Any])?["perplexity"] as? Double)
        let tuned = try #require((task["tuned"] as? [String: Any])?["perplexity"] as? Double)
        #expect(base > 1.5 * tuned, "base perplexity \(base) must be well above the tuned \(tuned)")
        let answers = try #require(try taskAccuracies(report, set: "person-records-answers"))
        #expect(answers.tuned["json_fields"] ?? 0 >= 0.8 && answers.tuned["exact_match"] ?? 0 >= 0.8, "\(answers)")
        #expect(answers.base["json_fields"] ?? 1 < 0.2, "the base model must clearly fail the task: \(answers)")
        let gate = try #require(report["gate"] as? [String: Any])
        let accuracyChecks = (gate["checks"] as? [[String: Any]] ?? []).filter { ($0["name"] as? String)?.contains("accuracy") == true }
        #expect(accuracyChecks.count == 4 && accuracyChecks.allSatisfy { $0["passed"] as? Bool == true }, "\(accuracyChecks)")
        #expect((report["registry"] as? [String: Any])?["status"] as? String == "pending_approval")

        let (failed, failedOutput) = try run("jobs/smollm2-135m_lora_gate-fail.yaml", in: folder)
        #expect(failed == 3, "\(failedOutput)")
        let rejection = try #require(try JSONSerialization.jsonObject(with: Data(failedOutput.utf8)) as? [String: Any])
        let directory = URL(fileURLWithPath: try #require(rejection["run_directory"] as? String))
        let markdown = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
        let headline = markdown.split(separator: "\n").first { $0.hasPrefix("**") }.map(String.init) ?? ""
        #expect(headline.contains("Rejected by the gate: failed") && headline.contains("on person-records-holdout"),
                "\(headline)")
        let gateReport = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("evaluation/gate.json"))) as? [String: Any])
        let failedAccuracy = (gateReport["checks"] as? [[String: Any]] ?? []).filter {
            $0["name"] as? String == "min_accuracy" && $0["passed"] as? Bool == false
        }
        #expect(failedAccuracy.map { $0["set"] as? String } == Array(repeating: "person-records-answers", count: 3))
        #expect(markdown.contains("Failing examples on person-records-answers"), "report.md quotes failing answers")
        #expect(rejection["registered"] == nil || rejection["registered"] is NSNull)
    }
}
