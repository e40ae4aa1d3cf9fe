import Foundation
import QuenchFiles

/// What every stage of one run may read: the spec, the run directory, the running Quench's version,
/// the Quench home (signing keys, registry) and the environment, both taken once when the run starts.
struct RunContext: Sendable {
    let spec: JobSpec
    let directory: RunDirectory
    let quenchVersion: String
    let home: QuenchHome
    /// The process environment the run started with: the registry's config location and actor come from it.
    let environment: [String: String]
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
