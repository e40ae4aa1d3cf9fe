/// The stages of a run, in the order they run.
public enum StageName: String, Codable, Sendable, CaseIterable {
    case fetch, verify, data, train, evaluate, gate, sign, register, report

    /// What the stage does, for progress lines and reports.
    public var summary: String {
        switch self {
        case .fetch: return "fetch the base model"
        case .verify: return "check model and data hashes against the pins"
        case .data: return "scan and check the training data"
        case .train: return "fine-tune"
        case .evaluate: return "evaluate base and tuned models"
        case .gate: return "apply the quality gate"
        case .sign: return "sign the artifacts"
        case .register: return "register the model version"
        case .report: return "write the reports"
        }
    }
}
