import Foundation
@testable import QuenchJobs
import QuenchFiles
import QuenchSecurity
import QuenchTestSupport

/// A tiny-llama LoRA job in a temporary folder (40 training and 8 validation records, a one-set gate),
/// and its stages run one by one as the runner runs them, each handed the earlier outputs it reads.
struct StageFixture {
    let directory: TemporaryDirectory
    let context: RunContext

    var folder: URL { directory.url }

    /// The job; `dataPins` goes under `data.sha256`, `thresholds` under the gate's `thresholds`, and
    /// `overlap` validation records are copied from the training set. The run's environment is `environment`;
    /// `precision` goes under `training.precision`.
    init(dataPins: String? = nil, thresholds: String = "{max_loss: 100, min_tokens: 1}", overlap: Int = 0,
         environment: [String: String] = [:], precision: String? = nil) throws {
        directory = try TemporaryDirectory("stages")
        let folder = directory.url
        let model = try TinyLlamaFixture.copy(into: folder)
        let pins = try ["config.json", "model.safetensors", "tokenizer.json"]
            .map { "\($0): \(try FileDigest.sha256(of: model.appendingPathComponent($0)))" }.joined(separator: ", ")
        let train = (0..<40).map { Self.record("train", $0) }
        try directory.file("train.jsonl", lines: train)
        try directory.file("valid.jsonl", lines: Array(train.prefix(overlap)) + (0..<(8 - overlap)).map { Self.record("held-out", $0) })
        try Self.writeGate(in: folder, set: "held-out", thresholds: thresholds)
        try directory.file("job.yaml", lines: [
            "apiVersion: quench/v1", "name: stage-job",
            "model:", "  path: tiny-llama", "  sha256: {\(pins)}",
            "data:", "  train: train.jsonl", "  validation: valid.jsonl", "  format: prompt_completion",
            "  max_sequence_length: 32",
        ] + (dataPins.map { ["  sha256: \($0)"] } ?? []) + [
            "training:", "  method: lora", "  lora: {rank: 4, alpha: 8}", "  batch_size: 4", "  max_steps: 3",
        ] + (precision.map { ["  precision: \($0)"] } ?? []) + [
            "evaluation:", "  gate: gate.yaml",
            "registry:", "  name: stage-job",
        ])
        let spec = try JobSpec.load(contentsOf: folder.appendingPathComponent("job.yaml"))
        let run = folder.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        context = RunContext(spec: spec, directory: RunDirectory(url: run), quenchVersion: "test",
                             home: QuenchHome(root: folder.appendingPathComponent("home")), environment: environment)
    }

    /// One prompt/completion record of `kind`.
    static func record(_ kind: String, _ index: Int) -> String {
        #"{"prompt": "\#(kind) question \#(index):", "completion": " answer \#(index * 7 % 13)."}"#
    }

    /// (Re)writes gate.yaml with one task set named `set` reading valid.jsonl.
    static func writeGate(in folder: URL, set: String, thresholds: String) throws {
        try Data("""
            windowing: disjoint
            context: 32
            sets:
              - {name: \(set), path: valid.jsonl, format: prompt_completion, role: task}
            thresholds: \(thresholds)
            """.utf8).write(to: folder.appendingPathComponent("gate.yaml"))
    }

    /// Runs the stages from fetch through `last`, as the runner would, and returns their outputs.
    func run(through last: StageName) throws -> FinishedStages {
        var finished = FinishedStages()
        let quiet: RunEvents = { _ in }
        let fetch = try FetchStage(model: context.spec.model).run(events: quiet)
        finished.fetch = fetch
        guard last != .fetch else { return finished }
        let verify = try VerifyStage(spec: context.spec, fetch: fetch).run(events: quiet)
        finished.verify = verify
        guard last != .verify else { return finished }
        let data = try DataStage(context: context, verify: verify).run(events: quiet)
        finished.data = data
        guard last != .data else { return finished }
        let train = try TrainStage(context: context, fetch: fetch, verify: verify, data: data).run(events: quiet)
        finished.train = train
        guard last != .train else { return finished }
        let evaluate = try EvaluateStage(context: context, fetch: fetch, verify: verify, train: train).run(events: quiet)
        finished.evaluate = evaluate
        guard last != .evaluate else { return finished }
        finished.gate = try GateStage(context: context, evaluation: evaluate).run(events: quiet)
        return finished
    }
}
