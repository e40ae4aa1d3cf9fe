import Crypto
import Foundation
import QuenchSecurity
import QuenchTestSupport
@testable import QuenchRegistry

/// A throwaway registry home with a signing key, a roles config and gated candidates to register.
struct RegistryFixture {
    let root: URL
    let home: URL
    let configURL: URL
    let osUser: String

    /// Users in the fixture's config and their roles.
    static let roles: [String: [String]] = [
        "trainer-t": ["trainer"], "approver-a": ["approver"], "approver-b": ["approver"],
        "both-c": ["trainer", "approver"], "admin-z": ["admin"],
    ]

    init() throws {
        root = try TemporaryDirectory.create("registry")
        home = root.appendingPathComponent("home")
        configURL = root.appendingPathComponent("registry.yaml")
        osUser = try RegistryActor.osUser()
        let keyURL = root.appendingPathComponent("keys/signing.key")
        try FileManager.default.createDirectory(at: keyURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        let written = FileManager.default.createFile(
            atPath: keyURL.path, contents: Data(P256.Signing.PrivateKey().pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
        guard written else { throw TestSetupError.command("cannot write the fixture's signing key at \(keyURL.path)") }
        var yaml = "signing_key: \(keyURL.path)\nroles:\n"
        for (user, roles) in Self.roles.sorted(by: { $0.key < $1.key }) { yaml += "  \(user): [\(roles.joined(separator: ", "))]\n" }
        yaml += "service_accounts:\n"
        for user in Self.roles.keys.sorted() { yaml += "  \(user):\n    run_by: [\(osUser)]\n" }
        try yaml.write(to: configURL, atomically: true, encoding: .utf8)
    }

    /// Removes everything the fixture wrote.
    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    /// The registry as seen by `actor` (a service account of the fixture's config).
    func registry(as actor: String, home: URL? = nil, signer: (any ArtifactSigner)? = nil) throws -> Registry {
        try Registry.open(home: home ?? self.home, config: configURL, signer: signer, environment: ["QUENCH_ACTOR": actor, "USER": osUser])
    }

    /// A fresh artifact directory with an adapter and its config, plus a passing gate report naming them.
    func candidate(
        name: String = "support-bot", fingerprint: String? = nil, passed: Bool = true, checkPassed: Bool = true,
        schema: String = "quench.gate/v1", tamperAfterGate: Bool = false
    ) throws -> RegistrationRequest {
        let run = root.appendingPathComponent("runs/\(UUID().uuidString)")
        let artifacts = run.appendingPathComponent("adapter")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let weights = artifacts.appendingPathComponent("adapter_model.safetensors")
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: weights)
        try Data(#"{"r": 8, "lora_alpha": 16}"#.utf8).write(to: artifacts.appendingPathComponent("adapter_config.json"))
        let evalSet = run.appendingPathComponent("eval.jsonl")
        try Data(#"{"text": "hello"}\n"#.utf8).write(to: evalSet)
        let gate = run.appendingPathComponent("gate.json")
        let report: [String: Any] = [
            "schema": schema, "passed": passed, "reason": passed ? "all checks passed" : "perplexity too high",
            "quench_version": "0.1.0", "windowing": "disjoint", "context": 512, "gate": run.appendingPathComponent("gate.yaml").path,
            "base_model": "/models/base.gguf", "tuned": artifacts.path, "tuned_kind": "adapter", "results": [] as [Any],
            "evaluated_at": "2026-01-01T00:00:00Z",
            "checks": [["name": "ppl", "set": "eval", "metric": "perplexity", "threshold": 20.0, "value": 12.5, "passed": checkPassed]],
            "files": [
                ["role": "adapter", "path": weights.path, "sha256": try FileDigest.sha256(of: weights)],
                ["role": "eval_set", "path": evalSet.path, "sha256": try FileDigest.sha256(of: evalSet)],
            ],
        ]
        try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]).write(to: gate)
        if tamperAfterGate { try Data(#"{"text": "changed"}\n"#.utf8).write(to: evalSet) }
        let lineage = Lineage(
            baseModel: BaseModelLineage(source: "HuggingFaceTB/SmolLM2-135M-Instruct", commit: "abc123", files: [
                HashedFile(path: "model.safetensors", sha256: String(repeating: "1", count: 64)),
            ]),
            datasets: [DatasetLineage(path: "data/train.jsonl", sha256: String(repeating: "2", count: 64), records: 100, fingerprint: fingerprint)],
            jobSpecSHA256: String(repeating: "3", count: 64), hyperparameters: .object(["lr": .double(0.0002), "rank": .int(8)]),
            quenchVersion: "0.1.0", architecture: "llama")
        return RegistrationRequest(name: name, artifactDirectory: artifacts, gateReport: gate, lineage: lineage)
    }

    /// Registers a candidate as trainer-t and drives it to `status`.
    func version(in status: VersionStatus, name: String = "support-bot") throws -> ModelVersion {
        let version = try registry(as: "trainer-t").register(try candidate(name: name))
        let reference = VersionReference(name: version.name, version: version.version)
        switch status {
        case .pendingApproval: return version
        case .approved: return try registry(as: "approver-a").approve(reference)
        case .rejected: return try registry(as: "approver-a").reject(reference)
        case .archived:
            try registry(as: "approver-a").reject(reference)
            return try registry(as: "admin-z").archive(reference)
        }
    }
}

extension ModelVersion {
    var reference: VersionReference { VersionReference(name: name, version: version) }
}
