import Foundation
import QuenchFiles

/// What every stage of one run may read: the spec, the run directory, the running Quench's version
/// and the Quench home (signing keys, registry) resolved once when the run starts.
struct RunContext: Sendable {
    let spec: JobSpec
    let directory: RunDirectory
    let quenchVersion: String
    let home: QuenchHome
}

/// The outputs of the stages that finished in this run, for the reports: a stage that did not run
/// (the run failed or was rejected before it) leaves its output out, and the report says so.
struct FinishedStages: Sendable {
    var fetch: FetchStage.Output?
    var verify: VerifyStage.Output?
    var data: DataStage.Output?
    var train: TrainStage.Output?
    var evaluate: EvaluateStage.Output?
    var gate: GateStage.Output?
    var sign: SignStage.Output?
    var register: RegisterStage.Output?
}
