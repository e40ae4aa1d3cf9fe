import Foundation
@testable import QuenchJobs
import QuenchSecurity
import Testing

/// The verify stage asks a local model for pins on exactly the files the loader reads (the same list
/// the spec check uses), not on every file of the folder that looks like a model file.
@Suite struct VerifyStagePinsTests {
    let lineage: DataLineageTests

    init() throws {
        lineage = try DataLineageTests()
    }

    /// A local model folder with config.json, model.safetensors, a stray reference.safetensors and a
    /// nested sub/config.json; the job pins `pinned` of them. Returns the verify stage after fetching it.
    func fetched(pinning pinned: [String]) throws -> VerifyStage {
        let model = lineage.folder.appendingPathComponent("hf-model")
        try FileManager.default.createDirectory(at: model.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let files = ["config.json": "{}", "model.safetensors": "weights", "reference.safetensors": "reference",
                     "sub/config.json": "{}"]
        for (name, text) in files { try Data(text.utf8).write(to: model.appendingPathComponent(name)) }
        let pins = pinned.map { "\($0): \(FileDigest.sha256(of: Data(files[$0, default: ""].utf8)))" }.joined(separator: ", ")
        let job = lineage.folder.appendingPathComponent("job.yaml")
        let text = try String(contentsOf: job, encoding: .utf8)
            .replacingOccurrences(of: "  path: model.gguf\n  sha256: \(FileDigest.sha256(of: Data("weights".utf8)))",
                                  with: "  path: hf-model\n  sha256: {\(pins)}")
        let spec = lineage.folder.appendingPathComponent("hf-job.yaml")
        try Data(text.utf8).write(to: spec)
        let loaded = try JobSpec.load(contentsOf: spec)
        return VerifyStage(spec: loaded, fetch: try FetchStage(model: loaded.model).run { _ in })
    }

    @Test func filesTheLoaderNeverReadsNeedNoPin() throws {
        let output = try fetched(pinning: ["config.json", "model.safetensors"]).run { _ in }
        #expect(output.modelFiles.count == 4)  // every file is still hashed
        #expect(output.checks.filter { $0.pinned != nil }.map { URL(fileURLWithPath: $0.file.path).lastPathComponent }.sorted()
                == ["config.json", "model.safetensors"])
    }

    /// The folder is checked again as it is at verification: a tokenizer added after the spec was read needs a pin.
    @Test func aTokenizerAddedAfterTheSpecWasReadNeedsAPin() throws {
        let stage = try fetched(pinning: ["config.json", "model.safetensors"])
        try Data("{}".utf8).write(to: lineage.folder.appendingPathComponent("hf-model/tokenizer.json"))
        let error = #expect(throws: RunError.self) { try stage.run { _ in } }
        guard case .unpinnedModelFiles(_, let files)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(files == ["tokenizer.json"])
    }
}
