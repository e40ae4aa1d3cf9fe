import Foundation
@testable import QuenchJobs
import QuenchSecurity
import Testing

/// A file's role in a run is one type from the verify stage to the reports: stored records keep the
/// old raw values, and a record naming a role Quench does not know is refused with its file named,
/// never dropped or silently recomputed.
@Suite struct InputRoleTests {
    let lineage: DataLineageTests

    init() throws {
        lineage = try DataLineageTests()
    }

    @Test func storedRolesKeepTheirRawValues() throws {
        let stages = try lineage.contextAfterDataStage()
        let verify = stages.verify
        let data = stages.data
        let verifyJSON = try #require(String(data: try RunFiles.encoder.encode(verify), encoding: .utf8))
        for role in ["model", "train", "validation"] { #expect(verifyJSON.contains(#""role":"\#(role)""#), "\(verifyJSON)") }
        let dataJSON = try #require(String(data: try RunFiles.encoder.encode(data), encoding: .utf8))
        #expect(dataJSON.contains(#""trainingFiles":{"train":""#), "\(dataJSON)")
        let decoded = try RunFiles.decoder.decode(DataStage.Output.self, from: try RunFiles.encoder.encode(data))
        #expect(decoded.trainingFiles == data.trainingFiles)
        #expect(decoded.fingerprints.map(\.role) == [.train, .validation])
    }

    @Test func anUnknownStoredRoleIsAnErrorNamingTheFile() throws {
        let verify = try lineage.contextAfterDataStage().verify
        let text = try #require(String(data: try RunFiles.encoder.encode(verify), encoding: .utf8))
        let url = lineage.folder.appendingPathComponent("verify.json")
        try Data(text.replacingOccurrences(of: #""role":"validation""#, with: #""role":"holdout""#).utf8).write(to: url)
        let error = #expect(throws: RunError.self) { try RunFiles.decode(VerifyStage.Output.self, from: url) }
        guard case .corruptState(let file, let reason) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(file == url.path)
        #expect(reason.contains("holdout") || reason.contains("role"), "\(reason)")
    }

    /// A resumed run reads each finished stage's record back; one it cannot read stops the run
    /// naming that record (it used to be recomputed without a word).
    @Test func aResumedRunRefusesAStageRecordWithAnUnknownRole() throws {
        let spec = try JobSpec.load(contentsOf: lineage.folder.appendingPathComponent("job.yaml"))
        let runner = try JobRunner.start(spec: spec, runsRoot: lineage.folder.appendingPathComponent("runs"),
                                         quenchVersion: "test", events: { _ in })
        #expect(throws: RunError.self) { try runner.run() }  // the model is not a real GGUF: training fails
        let record = runner.directory.result(.verify)
        let stored = try String(contentsOf: record, encoding: .utf8)
        #expect(stored.contains(#""role" : "train""#))
        try Data(stored.replacingOccurrences(of: #""role" : "train""#, with: #""role" : "training""#).utf8).write(to: record)

        let resumed = try JobRunner.resume(directory: runner.directory.url, quenchVersion: "test", events: { _ in })
        let error = #expect(throws: RunError.self) { try resumed.run() }
        let message = "\(String(describing: error))"
        #expect(message.contains("stage verify failed") && message.contains(record.path) && message.contains("training"),
                "\(message)")
        let state = try RunState.load(from: runner.directory.url)
        #expect(state.record(.verify)?.status == .failed)
    }

    @Test func datasetPinsAreKeptByRole() throws {
        let spec = try JobSpec.load(contentsOf: lineage.folder.appendingPathComponent("job.yaml"))
        #expect(spec.data.pins.isEmpty)
        let train = try FileDigest.sha256(of: lineage.folder.appendingPathComponent("train.jsonl"))
        let text = try String(contentsOf: lineage.folder.appendingPathComponent("job.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  format: prompt_completion\n", with: "  format: prompt_completion\n  sha256: {train: \(train)}\n")
        let pinned = lineage.folder.appendingPathComponent("pinned.yaml")
        try Data(text.utf8).write(to: pinned)
        #expect(try JobSpec.load(contentsOf: pinned).data.pins == [.train: train])
    }
}
