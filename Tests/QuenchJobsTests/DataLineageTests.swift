import Foundation
@testable import QuenchJobs
import QuenchFiles
import QuenchRegistry
import QuenchSecurity
import QuenchTestSupport
import Testing

/// The data stage's per-dataset facts reach the registered lineage under the dataset's own role:
/// the training file carries the training set's fingerprint and record count, never the validation set's.
@Suite struct DataLineageTests {
    let directory: TemporaryDirectory
    var folder: URL { directory.url }

    init() throws {
        directory = try TemporaryDirectory("lineage")
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("run"), withIntermediateDirectories: true)
        try directory.file("model.gguf", bytes: Data("weights".utf8))
        try directory.file("gate.yaml", lines: ["sets: []"])
        try directory.file("train.jsonl", lines: (1...3).map { #"{"prompt": "train question \#($0)", "completion": "train answer \#($0)"}"# })
        try directory.file("validation.jsonl",
                           lines: (1...2).map { #"{"prompt": "held-out question \#($0)", "completion": "held-out answer \#($0)"}"# })
        try Data("""
            apiVersion: quench/v1
            name: lineage-job
            model:
              path: model.gguf
              sha256: \(FileDigest.sha256(of: Data("weights".utf8)))
            data:
              train: train.jsonl
              validation: validation.jsonl
              format: prompt_completion
              max_sequence_length: 32
            training:
              method: lora
              lora: {rank: 4, alpha: 8}
              batch_size: 2
              max_steps: 3
            evaluation:
              gate: gate.yaml
            registry:
              name: lineage
            """.utf8).write(to: folder.appendingPathComponent("job.yaml"))
    }

    /// The run's context and the outputs of its first three stages.
    struct UpToData {
        let context: RunContext
        let fetch: FetchStage.Output
        let verify: VerifyStage.Output
        let data: DataStage.Output

        var lineage: RunLineage { RunLineage(fetch: fetch, verify: verify, data: data) }
    }

    /// Runs fetch, verify and data for the job, as the runner would.
    func contextAfterDataStage() throws -> UpToData {
        let spec = try JobSpec.load(contentsOf: folder.appendingPathComponent("job.yaml"))
        let context = RunContext(spec: spec, directory: RunDirectory(url: folder.appendingPathComponent("run")),
                                 quenchVersion: "test", home: QuenchHome(root: folder.appendingPathComponent("home")),
                                 environment: [:])
        let fetch = try FetchStage(model: spec.model).run { _ in }
        let verify = try VerifyStage(spec: spec, fetch: fetch).run { _ in }
        let data = try DataStage(context: context, verify: verify).run { _ in }
        return UpToData(context: context, fetch: fetch, verify: verify, data: data)
    }

    @Test func eachDatasetKeepsItsOwnFingerprintInTheLineage() throws {
        let stages = try contextAfterDataStage()
        let data = stages.data
        let trainCheck = try #require(data.checks[.train])
        let validationCheck = try #require(data.checks[.validation])
        #expect(trainCheck.records == 3)
        #expect(validationCheck.records == 2)

        let lineage = try stages.lineage.lineage(stages.context)
        #expect(lineage.datasets.count == 2)
        let train = try #require(lineage.datasets.first { $0.path.hasSuffix("/train.jsonl") })
        let validation = try #require(lineage.datasets.first { $0.path.hasSuffix("/validation.jsonl") })
        #expect(train.records == 3)
        #expect(validation.records == 2)
        #expect(train.fingerprint == trainCheck.fingerprint.map { "sha256:\($0.sha256)" })
        #expect(validation.fingerprint == validationCheck.fingerprint.map { "sha256:\($0.sha256)" })
        #expect(train.fingerprint != validation.fingerprint)
        #expect(train.sha256 == (try FileDigest.sha256(of: folder.appendingPathComponent("train.jsonl"))))
    }

    @Test func reportFingerprintsNameTheFileTheyWereTakenFrom() throws {
        let data = try contextAfterDataStage().data
        for fingerprint in data.fingerprints {
            let report = try #require(data.checks[fingerprint.role])
            #expect(fingerprint.path == report.file)
            #expect(fingerprint.records == report.records)
            #expect(URL(fileURLWithPath: fingerprint.path).lastPathComponent == "\(fingerprint.role.rawValue).jsonl")
        }
        #expect(data.fingerprints.map(\.role) == [.train, .validation])
    }
}
