import Foundation
import QuenchEval
import QuenchGate
import QuenchGovernance

/// Stage 5: evaluates the base and the tuned model (adapter applied in memory) on the gate's sets,
/// with the gate's windowing and context; the gate stage applies the thresholds to these numbers.
struct EvaluateStage: Stage {
    /// One set's numbers before and after, as reports show them.
    struct SetSummary: Codable, Sendable {
        /// One model's numbers on the set.
        struct Metrics: Codable, Sendable {
            let loss: Double
            let perplexity: Double
            let tokens: Int
            let summedNLL: Double
            let bitsPerByte: Double?
            let standardError: Double

            init(_ result: EvalResult) {
                loss = result.meanLoss
                perplexity = result.perplexity
                tokens = result.tokensScored
                summedNLL = result.summedNLL
                bitsPerByte = result.bitsPerByte
                standardError = result.standardError
            }

            enum CodingKeys: String, CodingKey {
                case loss, perplexity, tokens
                case summedNLL = "summed_nll", bitsPerByte = "bits_per_byte", standardError = "standard_error"
            }
        }

        let name: String
        let role: GateSetRole
        let path: String
        let windowing: String
        let base: Metrics
        let tuned: Metrics
        /// (tuned − base) / base perplexity.
        var perplexityChange: Double { (tuned.perplexity - base.perplexity) / base.perplexity }
    }

    /// The sets' numbers, and the whole evaluation the gate stage decides on.
    struct Output: Codable, Sendable {
        let sets: [SetSummary]
        let evaluation: EvalReport
    }

    static let name = StageName.evaluate
    let context: RunContext
    let fetch: FetchStage.Output
    let verify: VerifyStage.Output
    let train: TrainStage.Output

    /// Only what the measurement reads: the gate's sets and evaluation options (for a generative set also
    /// its metrics, max_new_tokens, stop sequences and batch size), not its thresholds, so a changed
    /// threshold is decided again by the gate stage without evaluating again (the gate stage refuses an
    /// evaluation whose sets or options no longer match the gate).
    func inputs() throws -> [String: String] {
        let gate = try GateConfig.load(contentsOf: URL(fileURLWithPath: context.spec.gate))
        let sets = try gate.sets.map { set in
            "\(set.name)=\(set.file.path)#\(FileRecord.stamp(set.file.path))#\(set.format?.rawValue ?? "auto")#\(set.role.rawValue)"
                + (try set.generation.map { "#" + (try Self.stamp($0)) } ?? "")
        }
        return ["eval_sets": sets.joined(separator: ";"),
                "eval_options": "\(gate.windowing)|\(gate.context)|\(gate.batchSize.map(String.init) ?? "auto")",
                "base": verify.modelFiles.map(\.sha256).joined(separator: ","),
                "tuned": train.files.map(\.sha256).joined(separator: ",")]
    }

    /// What of a generative set's settings changes its answers or their scores, in one string
    /// (stop sequences JSON-encoded, so any text in them stays unambiguous).
    static func stamp(_ settings: GenerationSettings) throws -> String {
        let stop = String(decoding: try JSONEncoder().encode(settings.stop), as: UTF8.self)
        return "metrics=\(settings.metrics.map(\.label).joined(separator: ","))#max_new_tokens=\(settings.maxNewTokens)"
            + "#stop=\(stop)#batch_size=\(settings.batchSize)"
    }

    func run(events: @escaping RunEvents) throws -> Output {
        let gate = try GateConfig.load(contentsOf: URL(fileURLWithPath: context.spec.gate))
        let tuned = TunedModel(train.method.tunedKind, at: URL(fileURLWithPath: train.artifacts))
        // Both models are read from bytes hashing to what the verify stage (base) and training (tuned) recorded.
        let verified = VerifiedInputs(verify.checks).adding(train.files, role: .tuned)
        // The answers are stored scrubbed and cut: the run folder and every report read them from here.
        let evaluation = try GateRunner.evaluate(gate, base: URL(fileURLWithPath: fetch.location), tuned: tuned,
                                                 verifying: verified.modelCheck, progress: { events(.message($0)) })
            .redactingExamples(SecretScrubber().scrub)
        let sets = try GateRunner.matched(gate, evaluation).compactMap { evaluated -> SetSummary? in
            guard let tunedResult = evaluated.comparison.tuned else { return nil }
            return SetSummary(name: evaluated.set.name, role: evaluated.set.role, path: evaluated.comparison.path,
                              windowing: evaluation.windowing, base: .init(evaluated.comparison.base), tuned: .init(tunedResult))
        }
        return Output(sets: sets, evaluation: evaluation)
    }

    /// Per loss set its perplexity before → after, per generative set each metric's accuracy before → after.
    static func summary(_ output: Output) -> String {
        let losses = output.sets.map { set in
            String(format: "%@: perplexity %.3g → %.3g", set.name, set.base.perplexity, set.tuned.perplexity)
        }
        let tasks = output.evaluation.tasks.map { task in
            "\(task.name): " + task.base.accuracies.map { accuracy in
                String(format: "%@ %.2f", accuracy.metric.name, accuracy.statistic.accuracy)
                    + (task.tuned?.accuracy(of: accuracy.metric.name).map { String(format: " → %.2f", $0.accuracy) } ?? "")
            }.joined(separator: ", ")
        }
        return (losses + tasks).joined(separator: "; ")
    }
}
