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
    /// nested sub/config.json; the job pins `pinned` of them. Returns the context after fetching it.
    func fetched(pinning pinned: [String]) throws -> RunContext {
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
        var context = RunContext(spec: try JobSpec.load(contentsOf: spec),
                                 directory: RunDirectory(url: lineage.folder.appendingPathComponent("run")), quenchVersion: "test")
        FetchStage.store(try FetchStage().run(context) { _ in }, in: &context)
        return context
    }

    @Test func filesTheLoaderNeverReadsNeedNoPin() throws {
        let output = try VerifyStage().run(try fetched(pinning: ["config.json", "model.safetensors"])) { _ in }
        #expect(output.modelFiles.count == 4)  // every file is still hashed
        #expect(output.checks.filter { $0.pinned != nil }.map { URL(fileURLWithPath: $0.file.path).lastPathComponent }.sorted()
                == ["config.json", "model.safetensors"])
    }

    /// The folder is checked again as it is at verification: a tokenizer added after the spec was read needs a pin.
    @Test func aTokenizerAddedAfterTheSpecWasReadNeedsAPin() throws {
        let context = try fetched(pinning: ["config.json", "model.safetensors"])
        try Data("{}".utf8).write(to: lineage.folder.appendingPathComponent("hf-model/tokenizer.json"))
        let error = #expect(throws: RunError.self) { try VerifyStage().run(context) { _ in } }
        guard case .unpinnedModelFiles(_, let files)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(files == ["tokenizer.json"])
    }
}
