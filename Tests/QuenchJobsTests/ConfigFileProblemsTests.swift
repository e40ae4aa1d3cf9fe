import Foundation
import QuenchDispatch
import QuenchEval
import QuenchGovernance
import QuenchHub
import QuenchJobs
import QuenchRegistry
import QuenchSecurity
import QuenchTrain
import Testing
import QuenchTestSupport

/// Every YAML file Quench reads goes through the one config reader: each kind reports all its problems
/// at once, each as `file:line:column: key '...': ...`, and a misspelt key gets "did you mean".
@Suite struct ConfigFileProblemsTests {
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory("config-files")
    }

    /// Writes `lines` to `name`, loads it with `load` and checks that the error lists exactly
    /// `expected` problems (each given after the file's path).
    func expectProblems(_ name: String, _ lines: [String], _ expected: [String],
                        sourceLocation: SourceLocation = #_sourceLocation, load: (URL) throws -> Void) throws {
        let url = try folder.file(name, lines: lines)
        let path = url.standardizedFileURL.path
        do {
            try load(url)
            Issue.record("\(name) was accepted", sourceLocation: sourceLocation)
        } catch {
            let message = "\(error)"
            for problem in expected {
                #expect(message.contains("\n  \(path):\(problem)"), "\(message)", sourceLocation: sourceLocation)
            }
            #expect(message.components(separatedBy: "\n  \(path):").count - 1 == expected.count, "\(message)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func aTrainingConfiguration() throws {
        try expectProblems("train.yaml", ["data:", "  train: t.jsonl", "batch_szie: 4", "seed: many"], [
            "3:1: key 'batch_szie': unknown key, did you mean 'batch_size'?",
            "4:7: key 'seed': expected an integer, found 'many'",
        ]) { _ = try TrainingConfig.load(contentsOf: $0) }
    }

    @Test func aQualityGate() throws {
        try folder.file("a.txt", lines: ["some evaluation text"])
        try expectProblems("gate.yaml", ["sets:", "  - name: a", "    path: a.txt", "contxt: 8", "thresholds:",
                                         "  max_perplexity: -1"], [
            "4:1: key 'contxt': unknown key, did you mean 'context'?",
            "6:19: key 'thresholds.max_perplexity': must be greater than 0, found -1",
        ]) { _ = try GateConfig.load(contentsOf: $0) }
    }

    @Test func aJobSpec() throws {
        let model = try folder.file("model.gguf", bytes: Data("weights".utf8))
        try folder.file("train.jsonl", lines: ["{}"])
        try folder.file("spec-gate.yaml", lines: ["sets: []"])
        try expectProblems("job.yaml", [
            "apiVersion: quench/v1", "name: tiny-job", "model:", "  path: \(model.lastPathComponent)",
            "  sha256: \(FileDigest.sha256(of: Data("weights".utf8)))", "data:", "  train: train.jsonl",
            "  fromat: jsonl", "training:", "  seed: many", "evaluation:", "  gate: spec-gate.yaml",
        ], [
            "8:3: key 'data.fromat': unknown key, did you mean 'format'?",
            "10:9: key 'training.seed': expected an integer, found 'many'",
        ]) { _ = try JobSpec.load(contentsOf: $0) }
    }

    @Test func aGovernancePolicy() throws {
        try expectProblems("governance.yaml", ["pii:", "  default: block", "retention:", "  run_days: 3"], [
            "2:12: key 'pii.default': expected one of 'fail', 'redact', 'allow', found 'block'",
            "4:3: key 'retention.run_days': unknown key, did you mean 'runs_days'?",
        ]) { _ = try GovernancePolicy.load(contentsOf: $0) }
    }

    @Test func aComputeFile() throws {
        try expectProblems("compute.yaml", ["backends:", "  box:", "    kind: process", "    pol_seconds: 2",
                                            "    quench: \"\""], [
            "4:5: key 'backends.box.pol_seconds': unknown key, did you mean 'poll_seconds'?",
            "5:13: key 'backends.box.quench': must not be empty, found ''",
        ]) { _ = try ComputeConfig.load(contentsOf: $0) }
    }

    @Test func aHubConfiguration() throws {
        try expectProblems("hub.yaml", ["endpont: https://mirror.example", "retries:", "  attempts: 50"], [
            "1:1: key 'endpont': unknown key, did you mean 'endpoint'?",
            "3:13: key 'retries.attempts': must be between 1 and 20, found 50",
        ]) { _ = try HubConfiguration.load(from: $0, environment: [:]) }
    }

    @Test func aRegistryConfiguration() throws {
        try expectProblems("registry.yaml", ["roles:", "  alice: [trainer, boss]", "signing_kee: k"], [
            "2:20: key 'roles.alice': expected one of 'trainer', 'approver', 'admin', found 'boss'",
            "3:1: key 'signing_kee': unknown key, did you mean 'signing_key'?",
        ]) { _ = try RegistryConfig.load(from: $0) }
    }
}
