import Foundation
import QuenchEval

/// Stage 5: evaluates the base and the tuned model (adapter applied in memory) on the gate's sets
/// and applies its thresholds, writing gate.json and gate.md into the run's evaluation folder.
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
        let role: String
        let path: String
        let windowing: String
        let base: Metrics
        let tuned: Metrics
        /// (tuned − base) / base perplexity.
        var perplexityChange: Double { (tuned.perplexity - base.perplexity) / base.perplexity }
    }

    /// The sets' numbers and the gate report they produced.
    struct Output: Codable, Sendable {
        let sets: [SetSummary]
        let report: GateReport
        let reportPath: String
        let summaryPath: String
    }

    static let name = StageName.evaluate

    func inputs(_ context: RunContext) throws -> [String: String] {
        let train = try context.required(context.train, .train)
        let verify = try context.required(context.verify, .verify)
        return ["gate": context.spec.gate + "#" + FileRecord.stamp(context.spec.gate),
                "base": verify.modelFiles.map(\.sha256).joined(separator: ","),
                "tuned": train.files.map(\.sha256).joined(separator: ",")]
    }

    func run(_ context: RunContext, events: @escaping RunEvents) throws -> Output {
        let train = try context.required(context.train, .train)
        let base = URL(fileURLWithPath: try context.required(context.fetch, .fetch).location)
        let artifacts = URL(fileURLWithPath: train.artifacts)
        let tuned: TunedModel = train.method == "lora" ? .adapter(artifacts) : .model(artifacts)
        let output = context.directory.evaluation
        // Both models are read from bytes hashing to what the verify stage (base) and training (tuned) recorded.
        let verified = VerifiedInputs(try context.required(context.verify, .verify).checks).adding(train.files, role: .tuned)
        let report = try GateRunner.run(gate: URL(fileURLWithPath: context.spec.gate), base: base, tuned: tuned,
                                        output: output, quenchVersion: context.quenchVersion,
                                        verifying: verified.modelCheck, progress: { events(.message($0)) })
        let sets = report.results.compactMap { result -> SetSummary? in
            guard let tunedResult = result.comparison.tuned else { return nil }
            return SetSummary(name: result.comparison.name, role: result.role, path: result.comparison.path,
                              windowing: report.windowing, base: .init(result.comparison.base), tuned: .init(tunedResult))
        }
        return Output(sets: sets, report: report,
                      reportPath: output.appendingPathComponent(GateRunner.reportFile).path,
                      summaryPath: output.appendingPathComponent(GateRunner.summaryFile).path)
    }

    static func store(_ output: Output, in context: inout RunContext) { context.evaluate = output }

    static func summary(_ output: Output) -> String {
        output.sets.map { set in
            String(format: "%@: perplexity %.3g → %.3g", set.name, set.base.perplexity, set.tuned.perplexity)
        }.joined(separator: "; ")
    }
}
