import Foundation
import QuenchFiles
import QuenchGate
import QuenchRegistry
import QuenchSecurity

/// A version to register, written before the clock starts: a small adapter and its config, the gate report
/// that passed them (its tuned file hashed as uploaded, the base model's hash the lineage's) and a lineage.
public struct RegistryBenchCandidate: Sendable {
    /// Upload path → file on disk, with its SHA-256.
    public let files: [(path: String, url: URL, sha256: String)]
    /// The body of POST /v1/models/{name}/versions without its upload id.
    let gateReport: String
    let lineage: Lineage

    /// The SHA-256 recorded for the base model, in the gate report and in the lineage alike.
    static let baseModelSHA256 = String(repeating: "1", count: 64)

    /// Writes a candidate with `adapterBytes` random bytes of weights into the new folder `directory`.
    public init(directory: URL, adapterBytes: Int = 4096) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let weights = directory.appendingPathComponent("adapter_model.safetensors")
        try Data((0..<adapterBytes).map { _ in UInt8.random(in: 0...255) }).write(to: weights)
        let config = directory.appendingPathComponent("adapter_config.json")
        try Data(#"{"r": 8, "lora_alpha": 16}"#.utf8).write(to: config)
        let weightsSHA256 = try FileDigest.sha256(of: weights)
        files = [
            ("adapter_config.json", config, try FileDigest.sha256(of: config)),
            ("adapter_model.safetensors", weights, weightsSHA256),
        ]
        let check = GateCheck(name: "max_perplexity", set: "eval", metric: "tuned perplexity", threshold: 20, value: 12.5, atMost: true)
        let report = GateReport(
            passed: true, reason: GateReport.reason([check], sets: 1), quenchVersion: "0.1.0", windowing: "disjoint",
            context: 512, gate: directory.appendingPathComponent("gate.yaml").path, baseModel: "/models/base.gguf",
            tuned: directory.path, tunedKind: .adapter, checks: [check],
            files: [
                .init(role: .adapter, path: weights.path, sha256: weightsSHA256),
                .init(role: .baseModel, path: "/models/base.gguf", sha256: Self.baseModelSHA256),
            ],
            results: [], evaluatedAt: "2026-01-01T00:00:00Z")
        gateReport = String(decoding: try JSONCoding.fileEncoder.encode(report), as: UTF8.self)
        lineage = Lineage(
            baseModel: BaseModelLineage(
                source: "HuggingFaceTB/SmolLM2-135M-Instruct", commit: "abc123",
                files: [HashedFile(path: "model.safetensors", sha256: Self.baseModelSHA256)]),
            datasets: [DatasetLineage(path: "data/train.jsonl", sha256: String(repeating: "2", count: 64), records: 100)],
            jobSpecSHA256: String(repeating: "3", count: 64),
            hyperparameters: .object(["lr": .double(0.0002), "rank": .int(8)]), quenchVersion: "0.1.0",
            architecture: "llama")
    }
}
