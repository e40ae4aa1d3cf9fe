import Foundation
import QuenchTensor
import QuenchTrain

/// `report.json`: everything about one run in one document — inputs and their hashes, the training
/// configuration and curve, evaluation before and after, the gate's checks, the signature and the
/// registry entry. The Markdown and HTML reports are rendered from this.
struct RunReport: Encodable {
    let schema = "quench.report/v1"
    let job: String
    let spec: String
    let specSHA256: String
    let quenchVersion: String
    let runDirectory: String
    let status: RunState.Status
    let failure: String?
    let createdAt: Date
    let finishedAt: Date
    let stages: [RunState.StageRecord]
    let model: FetchStage.Output?
    let files: VerifyStage.Output?
    let data: DataStage.Output?
    let training: TrainStage.Output?
    let trainingConfiguration: TrainingConfig?
    let precision: StagePrecisions
    let curve: TrainingCurve?
    let evaluation: EvaluateStage.Output?
    /// The generative sets' accuracy table (each metric, and each json_fields field), base and tuned:
    /// what report.md and report.html show, for scripts.
    let accuracy: [TaskAccuracyRow]
    let gate: GateStage.Output?
    let signature: SignStage.Output?
    let registry: RegisterStage.Output?
    /// The compliance report files, relative to the run directory.
    let compliance: [String: String]

    enum CodingKeys: String, CodingKey {
        case schema, job, spec, status, failure, stages, model, files, data, training, curve, evaluation, accuracy, gate,
             signature, registry, compliance, precision
        case specSHA256 = "spec_sha256", quenchVersion = "quench_version", runDirectory = "run_directory",
             createdAt = "created_at", finishedAt = "finished_at", trainingConfiguration = "training_configuration"
    }

    /// The precision each computing stage ran (or runs) in: training's is the spec's
    /// `training.precision`; evaluation, and so the gate, always run in fp32, the reproducible reference.
    struct StagePrecisions: Encodable {
        let training: Precision
        let evaluation: Precision

        init(training: TrainingConfig, trained: TrainStage.Output?, evaluated: EvaluateStage.Output?) {
            self.training = trained?.summary.precision ?? training.precision
            evaluation = evaluated?.evaluation.precision ?? .fp32
        }

        /// One line for the Markdown and HTML reports.
        var sentence: String {
            "Precision: training \(training); evaluation and gate \(evaluation)"
                + (evaluation == .fp32 ? " (the reproducible reference)" : "")
        }
    }

    /// The generative sets the gate rejected the model on, with a few wrong answers each.
    var rejectedTaskSets: [RejectedTaskSet] { RejectedTaskSet.all(gate: gate, evaluation: evaluation) }

    /// The one line a reader needs first: what happened and, on failure or rejection, why.
    var headline: String {
        switch status {
        case .succeeded:
            if let registry { return "Passed the gate; registered as \(registry.name)@\(registry.version) (\(registry.status))." }
            return "Passed the gate."
        case .rejected:
            return "Rejected by the gate: \(gate?.reason ?? "see the checks below")."
        case .failed:
            return "Failed: \(failure ?? "see the stages below")."
        case .interrupted, .running, .skipped:
            return "Not finished (\(status.rawValue))."
        }
    }
}
