import Foundation

/// A training run's output as a client holds it before registering: an adapter and its config in a folder,
/// the gate report that passed them (naming the adapter, and the base model by the lineage's hash), and the
/// lineage, as JSON; for registrations from an upload, where the report's paths are the client's.
public struct GatedCandidate {
    /// The folder holding the artifacts.
    public let folder: URL
    /// The artifacts by their path in the folder.
    public let files: [String: URL]
    /// The gate report's exact text.
    public let gateReport: String
    /// The lineage as the registry's JSON (`base_model`, `datasets`, ..., `trained_by` when given).
    public let lineage: [String: Any]

    /// The base model's sha256 in both the gate report and the lineage.
    public static let baseModelSHA256 = String(repeating: "1", count: 64)

    /// Writes a fresh candidate (random adapter weights, so every one differs) under `directory`, trained by
    /// `trainer` on one dataset at `datasetPath`, with `trainingCurve` in its lineage when not empty; `sha256`
    /// hashes a file (hex), as the caller's module does it (this target links no hashing).
    public init(in directory: URL, trainedBy trainer: String? = nil, datasetPath: String = "data/train.jsonl",
                trainingCurve: [(step: Int, loss: Double, validationLoss: Double?)] = [],
                sha256: (URL) throws -> String) throws {
        folder = directory.appendingPathComponent("runs/\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let weights = folder.appendingPathComponent("adapter_model.safetensors")
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: weights)
        let config = folder.appendingPathComponent("adapter_config.json")
        try Data(#"{"r": 8, "lora_alpha": 16}"#.utf8).write(to: config)
        files = ["adapter_model.safetensors": weights, "adapter_config.json": config]
        let report: [String: Any] = [
            "schema": "quench.gate/v1", "passed": true, "reason": "all checks passed", "quench_version": "0.1.0",
            "windowing": "disjoint", "context": 512, "gate": folder.appendingPathComponent("gate.yaml").path,
            "base_model": "/models/base.gguf", "tuned": folder.path, "tuned_kind": "adapter", "results": [] as [Any],
            "evaluated_at": "2026-01-01T00:00:00Z",
            "checks": [["name": "ppl", "set": "eval", "metric": "perplexity", "threshold": 20.0, "value": 12.5, "passed": true]],
            "files": [
                ["role": "adapter", "path": weights.path, "sha256": try sha256(weights)],
                ["role": "base_model", "path": "/models/base.gguf", "sha256": Self.baseModelSHA256],
            ],
        ]
        gateReport = String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self)
        var lineage: [String: Any] = [
            "base_model": ["source": "HuggingFaceTB/SmolLM2-135M-Instruct", "commit": "abc123",
                           "files": [["path": "model.safetensors", "sha256": Self.baseModelSHA256]]],
            "datasets": [["path": datasetPath, "sha256": String(repeating: "2", count: 64), "records": 100]],
            "job_spec_sha256": String(repeating: "3", count: 64), "hyperparameters": ["lr": 0.0002, "rank": 8],
            "quench_version": "0.1.0", "architecture": "llama",
        ]
        if let trainer { lineage["trained_by"] = trainer }
        if !trainingCurve.isEmpty {
            lineage["training_curve"] = trainingCurve.map { point -> [String: Any] in
                var entry: [String: Any] = ["step": point.step, "loss": point.loss]
                if let validation = point.validationLoss { entry["validation_loss"] = validation }
                return entry
            }
        }
        self.lineage = lineage
    }

    /// The lineage's JSON bytes.
    public func lineageJSON() throws -> Data { try JSONSerialization.data(withJSONObject: lineage, options: [.sortedKeys]) }

    /// Writes the gate report next to the artifacts (not among them) and returns its URL.
    public func writeGateReport() throws -> URL {
        let url = folder.deletingLastPathComponent().appendingPathComponent("\(folder.lastPathComponent)-gate.json")
        try Data(gateReport.utf8).write(to: url)
        return url
    }
}
