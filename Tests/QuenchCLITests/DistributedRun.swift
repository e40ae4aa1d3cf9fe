import Foundation
import QuenchTestSupport
import Testing

/// One folder of the distributed tests: a model, arithmetic training data, and configurations trained
/// either by one `quench train` process or by `mpirun` ranks, both with one OpenMP thread.
struct DistributedRun {
    let folder: URL
    /// The model every run trains (`--model`).
    let model: URL
    let data: URL

    /// A fresh folder training `model`, or a copy of tiny-llama when nil; the caller removes `folder`.
    init(_ label: String, model: URL? = nil) throws {
        folder = try TemporaryDirectory.create(label)
        self.model = try model ?? TinyLlamaFixture.copy(into: folder)
        data = folder.appendingPathComponent("train.jsonl")
        try TinyModel.writeData(data, count: 40)
    }

    /// Writes `name`.yaml training `method` into the folder `name`: `accumulation` micro-batches of
    /// `batchSize` rows per step; returns its URL.
    @discardableResult
    func config(_ name: String, output: String? = nil, method: String = "lora", batchSize: Int = 2, accumulation: Int = 2,
                steps: Int = 6, checkpointEvery: Int = 2) throws -> URL {
        let config = """
            method: \(method)
            output: \(run(output ?? name).path)
            lora: {rank: 2, alpha: 4}
            data: {train: \(data.path), max_sequence_length: 32}
            optimizer: {learning_rate: 1.0e-3}
            batch_size: \(batchSize)
            gradient_accumulation: \(accumulation)
            max_steps: \(steps)
            checkpoint_every: \(checkpointEvery)
            evaluate_every: 100
            """
        let url = folder.appendingPathComponent("\(name).yaml")
        try Data(config.utf8).write(to: url)
        return url
    }

    /// The output folder of the run called `name`.
    func run(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// `quench train config --model model` as one process with one OpenMP thread.
    func alone(_ config: URL, _ extra: [String] = []) throws -> ProcessResult {
        try QuenchBinary.run(["train", config.path, "--model", model.path] + extra, environment: ["OMP_NUM_THREADS": "1"])
    }

    /// The same command as `ranks` mpirun ranks.
    func context(_ config: URL, ranks: Int = 2, _ extra: [String] = []) -> MPIRun.Context {
        MPIRun.Context(ranks: ranks, program: QuenchBinary.url, arguments: ["train", config.path, "--model", model.path] + extra)
    }

    /// Trains `config` with `ranks` mpirun ranks, ending within `seconds` (by default 90, ample for
    /// tiny-llama: a test running several fits them all in its time limit).
    func ranks(_ config: URL, ranks: Int = 2, _ extra: [String] = [], seconds: Double = 90) throws -> MPIRun.Result {
        try MPIRun.run([context(config, ranks: ranks, extra)], seconds: seconds)
    }

    /// What metrics.jsonl records of one training step that the distributed tests compare: its loss,
    /// and its gradient norm (which a gradient sum of the wrong scale changes, unlike AdamW's weights).
    struct Step: Equatable {
        let loss: Double
        let gradientNorm: Double
    }

    /// The loss and gradient norm columns of a run's metrics.jsonl, one per step.
    func steps(_ name: String) throws -> [Step] {
        let text = try String(contentsOf: run(name).appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return Step(loss: try #require(record?["loss"] as? Double, "no loss in \(line)"),
                        gradientNorm: try #require(record?["grad_norm"] as? Double, "no grad_norm in \(line)"))
        }
    }

    /// How the run `name` strays from the run `reference` trained on the same batches with another
    /// summation order: weights beyond 1e-5 relative per tensor, the optimizer moments (`m.*`, `v.*`)
    /// of the checkpoint at `checkpoint` beyond 1e-4, a loss or gradient norm beyond 1e-5 relative,
    /// or another number of steps. Empty when they agree.
    func strays(_ name: String, from reference: String, weights: String, checkpoint: Int) throws -> [String] {
        var strays: [String] = []
        let differing = try SafetensorsFloats.differences(run(name).appendingPathComponent(weights),
                                                          run(reference).appendingPathComponent(weights), tolerance: 1e-5)
        if !differing.isEmpty { strays.append("weights beyond 1e-5 relative: \(differing)") }
        let tensors = String(format: "checkpoints/checkpoint-%08d/tensors.safetensors", checkpoint)
        let moments = try SafetensorsFloats.differences(run(name).appendingPathComponent(tensors),
                                                        run(reference).appendingPathComponent(tensors), tolerance: 1e-4,
                                                        prefixes: ["m.", "v."])
        if !moments.isEmpty { strays.append("optimizer moments beyond 1e-4 relative: \(moments)") }
        let (steps, expected) = (try self.steps(name), try self.steps(reference))
        if steps.count != expected.count { strays.append("\(steps.count) metrics lines against \(expected.count)") }
        for (index, (step, want)) in zip(steps, expected).enumerated() {
            if !(abs(step.loss - want.loss) <= 1e-5 * abs(want.loss)) {
                strays.append("step \(index + 1): loss \(step.loss) against \(want.loss)")
            }
            if !(abs(step.gradientNorm - want.gradientNorm) <= 1e-5 * abs(want.gradientNorm)) {
                strays.append("step \(index + 1): grad_norm \(step.gradientNorm) against \(want.gradientNorm)")
            }
        }
        return strays
    }

    /// Every file and folder below the run called `name`, as sorted relative paths.
    func files(_ name: String) -> [String] {
        let root = run(name).path
        return (FileManager.default.subpaths(atPath: root) ?? []).sorted()
    }

    /// The bytes of `path` inside the run called `name`.
    func bytes(_ name: String, _ path: String) throws -> Data {
        try Data(contentsOf: run(name).appendingPathComponent(path))
    }

    /// The checkpoint `checkpoints/latest` of the run called `name` names, if any.
    func latest(_ name: String) -> String? {
        (try? String(contentsOf: run(name).appendingPathComponent("checkpoints/latest"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Copies the finished run `name` to `copy` as a kill right after its checkpoint at `step` leaves
    /// it: later checkpoints and the adapter or model gone, `latest` naming that checkpoint.
    func interrupted(_ name: String, as copy: String, atStep step: Int) throws {
        try FileManager.default.copyItem(at: run(name), to: run(copy))
        let checkpoints = run(copy).appendingPathComponent("checkpoints")
        let kept = String(format: "checkpoint-%08d", step)
        for entry in try FileManager.default.contentsOfDirectory(atPath: checkpoints.path) where entry.hasPrefix("checkpoint-") && entry > kept {
            try FileManager.default.removeItem(at: checkpoints.appendingPathComponent(entry))
        }
        try Data(kept.utf8).write(to: checkpoints.appendingPathComponent("latest"))
        for output in ["adapter", "model"] { try? FileManager.default.removeItem(at: run(copy).appendingPathComponent(output)) }
    }

    /// The file adapter training or full fine-tuning writes its weights to.
    static func weights(_ method: String) -> String {
        method == "full" ? "model/model.safetensors" : "adapter/adapter_model.safetensors"
    }
}
