import Crypto
import Foundation
import QuenchSecurity
import QuenchTestSupport

/// A registry server in a throwaway home with one user per role, and gated candidates to upload.
final class ServerFixture {
    let directory: TemporaryDirectory
    let home: URL
    let server: RegistryServerProcess
    /// Tokens by user: trainer-t (trainer), approver-a and approver-b (approver), both-c (trainer and
    /// approver), admin-z (admin).
    let tokens: [String: String]

    /// Users created before the server starts, and their roles.
    static let users: [String: [String]] = [
        "trainer-t": ["trainer"], "approver-a": ["approver"], "approver-b": ["approver"],
        "both-c": ["trainer", "approver"], "admin-z": ["admin"],
    ]

    /// A server with `serverArguments`, storing its records in `database` when given (else SQLite in its home).
    init(serverArguments: [String] = [], database: PostgresServer? = nil) throws {
        directory = try TemporaryDirectory("server")
        home = directory.url.appendingPathComponent("home")
        let storeArguments = database.map { ["--database", $0.url, "--database-password-file", $0.passwordFile.path] } ?? []
        var tokens: [String: String] = [:]
        for (name, roles) in Self.users.sorted(by: { $0.key < $1.key }) {
            tokens[name] = try RegistryServerProcess.addUser(name, roles: roles, home: home, arguments: storeArguments)
        }
        self.tokens = tokens
        server = try RegistryServerProcess(home: home, arguments: serverArguments + storeArguments)
    }

    /// A client acting as `user` (nil: no token).
    func client(as user: String?) -> ServerClient {
        ServerClient(base: server.url, token: user.flatMap { tokens[$0] }, scratch: directory.url)
    }

    /// A candidate's files on the client: an adapter and its config, the gate report that passed them and a lineage.
    struct Candidate {
        let files: [String: URL]
        let gateReport: String
        let lineage: [String: Any]

        /// The body of POST /v1/models/{name}/versions for upload `id`.
        func registration(upload id: String) throws -> String {
            let body: [String: Any] = ["upload": id, "gate_report": gateReport, "lineage": lineage]
            return String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
        }
    }

    /// Writes a fresh candidate trained by `trainer` (recorded in its lineage).
    func candidate(trainedBy trainer: String? = nil) throws -> Candidate {
        let run = directory.url.appendingPathComponent("runs/\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let weights = run.appendingPathComponent("adapter_model.safetensors")
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: weights)
        let config = run.appendingPathComponent("adapter_config.json")
        try Data(#"{"r": 8, "lora_alpha": 16}"#.utf8).write(to: config)
        let baseSHA256 = String(repeating: "1", count: 64)
        let report: [String: Any] = [
            "schema": "quench.gate/v1", "passed": true, "reason": "all checks passed", "quench_version": "0.1.0",
            "windowing": "disjoint", "context": 512, "gate": run.appendingPathComponent("gate.yaml").path,
            "base_model": "/models/base.gguf", "tuned": run.path, "tuned_kind": "adapter", "results": [] as [Any],
            "evaluated_at": "2026-01-01T00:00:00Z",
            "checks": [["name": "ppl", "set": "eval", "metric": "perplexity", "threshold": 20.0, "value": 12.5, "passed": true]],
            "files": [
                ["role": "adapter", "path": weights.path, "sha256": try FileDigest.sha256(of: weights)],
                ["role": "base_model", "path": "/models/base.gguf", "sha256": baseSHA256],
            ],
        ]
        var lineage: [String: Any] = [
            "base_model": ["source": "HuggingFaceTB/SmolLM2-135M-Instruct", "commit": "abc123",
                           "files": [["path": "model.safetensors", "sha256": baseSHA256]]],
            "datasets": [["path": "data/train.jsonl", "sha256": String(repeating: "2", count: 64), "records": 100]],
            "job_spec_sha256": String(repeating: "3", count: 64), "hyperparameters": ["lr": 0.0002, "rank": 8],
            "quench_version": "0.1.0", "architecture": "llama",
        ]
        if let trainer { lineage["trained_by"] = trainer }
        let gate = String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self)
        return Candidate(files: ["adapter_model.safetensors": weights, "adapter_config.json": config], gateReport: gate, lineage: lineage)
    }

    /// Uploads `candidate` as `user` and registers it as `name`; returns the answer of the registration.
    func register(_ candidate: Candidate, name: String = "support-bot", as user: String = "trainer-t") throws -> APIAnswer {
        let id = try upload(candidate, as: user)
        return try client(as: user).send("POST", "/v1/models/\(name)/versions", json: try candidate.registration(upload: id))
    }

    /// Uploads the files of `candidate` as `user`; returns the upload's id.
    func upload(_ candidate: Candidate, as user: String = "trainer-t") throws -> String {
        let client = client(as: user)
        let created = try client.send("POST", "/v1/uploads")
        guard created.status == 201, let id = created.object["id"] as? String else {
            throw TestSetupError.command("POST /v1/uploads answered \(created.status): \(created.text)")
        }
        for (path, url) in candidate.files.sorted(by: { $0.key < $1.key }) {
            let put = try client.send("PUT", "/v1/uploads/\(id)/files/\(path)", file: url,
                                      headers: ["X-Quench-SHA256": try FileDigest.sha256(of: url)])
            guard put.status == 201 else { throw TestSetupError.command("PUT \(path) answered \(put.status): \(put.text)") }
        }
        return id
    }
}
