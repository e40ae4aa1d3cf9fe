import Foundation

/// What the stages of one run share: the spec, the run directory and the earlier stages' outputs.
struct RunContext {
    let spec: JobSpec
    let directory: RunDirectory
    let quenchVersion: String
    var fetch: FetchStage.Output?
    var verify: VerifyStage.Output?
    var data: DataStage.Output?
    var train: TrainStage.Output?
    var evaluate: EvaluateStage.Output?
    var gate: GateStage.Output?
    var sign: SignStage.Output?
    var register: RegisterStage.Output?

    /// The output of an earlier stage that must have run; a missing one is a bug in stage order.
    func required<T>(_ value: T?, _ stage: StageName) throws -> T {
        guard let value else { throw RunError.unsupported("internal: stage \(stage.rawValue) has not run yet") }
        return value
    }
}
