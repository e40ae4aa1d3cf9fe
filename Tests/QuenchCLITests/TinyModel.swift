import Foundation
import QuenchTestSupport

/// A tiny-llama job for the runner tests: `TinyLlamaFixture`'s model, arithmetic data and a gate.
enum TinyModel {
    /// `count` prompt/completion records of simple arithmetic, deterministic.
    static func writeData(_ url: URL, count: Int, offset: Int = 0) throws {
        let lines = (offset..<(offset + count)).map { i in
            #"{"prompt": "\#(i)+\#(i)=", "completion": "\#(2 * i)."}"#
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    /// A job spec training tiny-llama with LoRA on `train` (validated on valid.jsonl, gated by gate.yaml):
    /// `model` is a flow mapping (a path with pins, or a hub reference) and `tail` the top-level keys
    /// that follow `evaluation` (compute, registry).
    static func jobSpec(name: String, model: String, train: String = "train.jsonl", steps: Int,
                        checkpointEvery: Int, evaluateEvery: Int, tail: String) -> String {
        """
        apiVersion: quench/v1
        name: \(name)
        model: \(model)
        data: {train: \(train), validation: valid.jsonl, format: prompt_completion, max_sequence_length: 32}
        training:
          method: lora
          lora: {rank: 4, alpha: 8}
          optimizer: {learning_rate: 1.0e-2}
          batch_size: 4
          max_steps: \(steps)
          checkpoint_every: \(checkpointEvery)
          evaluate_every: \(evaluateEvery)
        evaluation: {gate: gate.yaml}
        \(tail)
        """
    }

    /// What a tiny-llama job spec needs in `folder`: the model, train.jsonl (60 records), valid.jsonl
    /// (12 others) and gate.yaml, a gate the trained adapter passes and the base model does not.
    static func writeJob(in folder: URL) throws {
        _ = try TinyLlamaFixture.copy(into: folder)
        try writeData(folder.appendingPathComponent("train.jsonl"), count: 60)
        try writeData(folder.appendingPathComponent("valid.jsonl"), count: 12, offset: 500)
        try Data("""
            windowing: disjoint
            context: 64
            sets:
              - {name: held-out, path: valid.jsonl, format: prompt_completion, role: task}
            thresholds: {max_perplexity: 250, max_loss: 5.5, min_improvement: 0.02, min_tokens: 10}
            """.utf8).write(to: folder.appendingPathComponent("gate.yaml"))
    }
}
