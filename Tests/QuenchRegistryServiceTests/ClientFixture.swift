import Foundation
import QuenchHub
import QuenchRegistry
import QuenchRegistryClient
import QuenchSecurity
import QuenchTestSupport

/// A registry server (`ServerFixture`) and `RemoteRegistry` clients acting as its users, each witnessing
/// the server's log in a state folder of the test; and gated candidates whose gate report names files that
/// exist on this machine, as `quench run` leaves them.
final class ClientFixture {
    let server: ServerFixture
    /// XDG_STATE_HOME of the clients (one witness state per registry URL, shared by every client here).
    let state: URL

    init() throws {
        server = try ServerFixture()
        state = server.directory.url.appendingPathComponent("state")
    }

    /// The environment a client process of `user` gets: the server's URL and the user's token, the test's state folder.
    func environment(as user: String) -> [String: String] {
        ["QUENCH_REGISTRY_URL": server.server.url, "QUENCH_REGISTRY_TOKEN": server.tokens[user] ?? "", "XDG_STATE_HOME": state.path]
    }

    /// A client acting as `user`, connected as the CLI connects.
    func client(as user: String) throws -> RemoteRegistry {
        try RemoteRegistry.connect(server.server.url, environment: environment(as: user))
    }

    /// A gated adapter on this machine: weights and config, the base model file, gate.json and lineage.
    func candidate(trainedBy trainer: String? = nil) throws -> RegistrationRequest {
        let run = server.directory.url.appendingPathComponent("client-runs/\(UUID().uuidString)")
        let adapter = run.appendingPathComponent("adapter")
        try FileManager.default.createDirectory(at: adapter, withIntermediateDirectories: true)
        let weights = adapter.appendingPathComponent("adapter_model.safetensors")
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: weights)
        try Data(#"{"r": 8, "lora_alpha": 16}"#.utf8).write(to: adapter.appendingPathComponent("adapter_config.json"))
        let base = run.appendingPathComponent("base.gguf")
        try Data("base model bytes \(UUID())".utf8).write(to: base)
        let baseSHA256 = try FileDigest.sha256(of: base)
        let report: [String: Any] = [
            "schema": "quench.gate/v1", "passed": true, "reason": "all checks passed", "quench_version": "0.1.0",
            "windowing": "disjoint", "context": 512, "gate": run.appendingPathComponent("gate.yaml").path,
            "base_model": base.path, "tuned": adapter.path, "tuned_kind": "adapter", "results": [] as [Any],
            "evaluated_at": "2026-01-01T00:00:00Z",
            "checks": [["name": "ppl", "set": "eval", "metric": "perplexity", "threshold": 20.0, "value": 12.5, "passed": true]],
            "files": [
                ["role": "adapter", "path": weights.path, "sha256": try FileDigest.sha256(of: weights)],
                ["role": "base_model", "path": base.path, "sha256": baseSHA256],
            ],
        ]
        let gate = run.appendingPathComponent("gate.json")
        try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]).write(to: gate)
        let lineage = Lineage(
            baseModel: BaseModelLineage(source: "HuggingFaceTB/SmolLM2-135M-Instruct", commit: "abc123",
                                        files: [HashedFile(path: "base.gguf", sha256: baseSHA256)]),
            datasets: [DatasetLineage(path: "data/train.jsonl", sha256: String(repeating: "2", count: 64), records: 100)],
            jobSpecSHA256: nil, hyperparameters: .object(["rank": .int(8)]), quenchVersion: "0.1.0", architecture: "llama",
            trainedBy: trainer)
        return RegistrationRequest(name: "support-bot", artifactDirectory: adapter, gateReport: gate, lineage: lineage)
    }
}
