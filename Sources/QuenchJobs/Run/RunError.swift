/// Errors running a job; each says what failed and what to do next.
public enum RunError: Error, Equatable, CustomStringConvertible {
    /// The folder has no `state.json`.
    case notARun(directory: String)
    /// `state.json` or a stage result cannot be read back.
    case corruptState(file: String, reason: String)
    /// A stage failed; `reason` is its error, already free of secrets.
    case stageFailed(stage: StageName, reason: String, runDirectory: String)
    /// A pinned sha256 does not match the file.
    case hashMismatch(subject: String, path: String, expected: String, actual: String)
    /// A local model file the loader reads has no pin in the spec.
    case unpinnedModelFiles(model: String, files: [String])
    /// A verified input's bytes, as a stage read them, no longer hash to what the verify stage recorded.
    case changedSinceVerified(role: InputRole, path: String, verified: String, found: String)
    /// A stage was about to read a file the verify stage never hashed.
    case unverifiedInput(path: String)
    /// The data stage found what the policy forbids.
    case dataRejected(reason: String, report: String)
    /// Training sent to a compute backend did not succeed; the job's own log says why.
    case remoteTrainingFailed(backend: String, job: String, state: String, rawState: String, exitCode: Int32?)
    /// A file the remote returned (verified against its manifest) is not what training writes.
    case remoteResultInvalid(file: String, reason: String)
    /// The run's record of its remote job cannot be read.
    case remoteJobUnreadable(file: String, reason: String)
    /// Waiting for a backend took longer than allowed.
    case gaveUp(seconds: Double)
    /// The job names something this Quench cannot do yet or here.
    case unsupported(String)

    public var description: String {
        switch self {
        case .notARun(let directory):
            return "\(directory) is not a run directory (no state.json); `quench runs list` shows the runs"
        case .corruptState(let file, let reason):
            return "cannot read \(file): \(reason); the run cannot be resumed, start it again with `quench run SPEC`"
        case .stageFailed(let stage, let reason, let runDirectory):
            return "stage \(stage.rawValue) failed: \(reason)\nfix the cause, then resume with: quench run --resume \(runDirectory)"
        case .hashMismatch(let subject, let path, let expected, let actual):
            return "\(subject) \(path) does not match its pin: expected sha256 \(expected), found \(actual); "
                + "if the file changed on purpose, update the pin in the job spec"
        case .unpinnedModelFiles(let model, let files):
            return "the local model \(model) has files the loader reads without a pin: \(files.joined(separator: ", ")); "
                + "add each under model.sha256 in the job spec ({file: sha256, ...}; `sha256sum` gives the values)"
        case .changedSinceVerified(let role, let path, let verified, let found):
            return "\(role.rawValue) file \(path) changed after it was verified (sha256 \(verified), now \(found)); "
                + "Quench does not read it: restore the file, or start a new run to verify the new one"
        case .unverifiedInput(let path):
            return "\(path) was about to be read, but the verify stage did not hash it; start a new run so it is verified"
        case .dataRejected(let reason, let report):
            return "the training data breaks the policy: \(reason) (details in \(report))"
        case .remoteTrainingFailed(let backend, let job, let state, let rawState, let exitCode):
            let code = exitCode.map { ", exit code \($0)" } ?? ""
            return "training job \(job) on backend \(backend) ended \(state) (\(rawState)\(code)); "
                + "its log: quench jobs logs \(job)"
        case .remoteResultInvalid(let file, let reason):
            return "the remote's result \(file) cannot be used: \(reason); no remote figure was taken, retrain with a matching Quench"
        case .remoteJobUnreadable(let file, let reason):
            return "cannot read the run's remote job record \(file): \(reason); see `quench jobs list`, cancel the job there, "
                + "then remove the file to start a new one"
        case .gaveUp(let seconds):
            return String(format: "gave up waiting for the backend after %.0f s", seconds)
        case .unsupported(let what):
            return what
        }
    }
}
