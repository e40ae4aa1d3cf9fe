import Foundation
import QuenchFiles
import QuenchGovernance
import QuenchSecurity

/// How a run ended, for the CLI's exit code and summary.
public struct RunOutcome: Sendable {
    public let directory: RunDirectory
    public let state: RunState
    /// Whether the gate passed; nil when the run stopped before the gate.
    public let gatePassed: Bool?
    /// The one-line reason the gate gave.
    public let gateReason: String?
    /// `name@version` when the model was registered.
    public let registered: String?
    /// The registry server's URL when a server registered it; nil for the embedded registry.
    public let registryServer: String?
}

/// Runs a job spec stage by stage in its run directory: fetch, verify, data, train, evaluate, gate,
/// sign, register, report. Each finished stage is recorded in `state.json` with a hash of its inputs,
/// so `resume` continues after the last finished stage and skips stages whose inputs are unchanged.
/// Every summary and failure message passes through the secret scrubber before it is recorded.
public struct JobRunner {
    let spec: JobSpec
    public let directory: RunDirectory
    let events: RunEvents
    let quenchVersion: String

    /// Starts a new run of `spec` in a fresh folder under `runsRoot`.
    public static func start(spec: JobSpec, runsRoot: URL, quenchVersion: String,
                             events: @escaping RunEvents) throws -> JobRunner {
        let directory = try RunDirectory.create(job: spec.name, under: runsRoot)
        let now = Date()
        let state = RunState(job: spec.name, spec: spec.file, specSHA256: spec.sha256, quenchVersion: quenchVersion,
                             createdAt: now, updatedAt: now, status: .running, pid: getpid(), stages: [])
        try state.save(to: directory.url)
        return JobRunner(spec: spec, directory: directory, events: events, quenchVersion: quenchVersion)
    }

    /// Continues the run in `directory` with its spec as it is now (re-read from where it was).
    public static func resume(directory url: URL, quenchVersion: String, events: @escaping RunEvents) throws -> JobRunner {
        let directory = RunDirectory(url: url)
        let state = try RunState.load(from: directory.url)
        let spec = try JobSpec.load(contentsOf: URL(fileURLWithPath: state.spec))
        return JobRunner(spec: spec, directory: directory, events: events, quenchVersion: quenchVersion)
    }

    /// Runs every stage that has not finished with the same inputs; the report is written even when
    /// the gate rejects the model or a stage fails. It blocks while training, here or remotely: call it
    /// from a thread outside Swift's cooperative pool (`quench run` calls it from the main thread).
    public func run() throws -> RunOutcome {
        var state = try RunState.load(from: directory.url)
        state.status = .running
        state.pid = getpid()
        state.specSHA256 = spec.sha256
        state.quenchVersion = quenchVersion
        try save(&state)
        try? FileManager.default.removeItem(at: directory.specCopy)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: spec.file), to: directory.specCopy)

        let environment = ProcessInfo.processInfo.environment
        let run = RunContext(spec: spec, directory: directory, quenchVersion: quenchVersion,
                             home: QuenchHome.resolve(environment: environment), environment: environment)
        var finished = FinishedStages()
        var failure: Error?
        do {
            try runStages(run, &finished, &state)
        } catch {
            failure = error
        }
        state.status = failure != nil ? .failed : (finished.gate?.passed == false ? .rejected : .succeeded)
        _ = try step(ReportStage(context: run, state: state, failure: failure.map { SecretScrubber().scrub($0) },
                                 finished: finished), &state)
        state.pid = nil
        try save(&state)
        if let failure {
            if let runError = failure as? RunError, case .stageFailed = runError { throw runError }
            // The stage that failed in this run, not one left failed by an earlier attempt.
            let stage = state.stages.filter { $0.status == .failed }
                .max { ($0.finishedAt ?? .distantPast) < ($1.finishedAt ?? .distantPast) }?.name ?? .fetch
            throw RunError.stageFailed(stage: stage, reason: SecretScrubber().scrub(failure), runDirectory: directory.path)
        }
        return RunOutcome(directory: directory, state: state, gatePassed: finished.gate?.passed,
                          gateReason: finished.gate?.reason, registered: finished.register.map { "\($0.name)@\($0.version)" },
                          registryServer: finished.register?.server)
    }

    /// Fetch, verify, data, train, evaluate, gate, then sign and register when the gate passed; each
    /// stage is handed the earlier outputs it reads, and each output is kept in `finished` for the report.
    private func runStages(_ run: RunContext, _ finished: inout FinishedStages, _ state: inout RunState) throws {
        let fetch = try step(FetchStage(model: spec.model), &state)
        finished.fetch = fetch
        let verify = try step(VerifyStage(spec: spec, fetch: fetch), &state)
        finished.verify = verify
        let data = try step(DataStage(context: run, verify: verify), &state)
        finished.data = data
        let train = try step(TrainStage(context: run, fetch: fetch, verify: verify, data: data), &state)
        finished.train = train
        let evaluate = try step(EvaluateStage(context: run, fetch: fetch, verify: verify, train: train), &state)
        finished.evaluate = evaluate
        let gate = try step(GateStage(context: run, evaluation: evaluate), &state)
        finished.gate = gate
        guard gate.passed else {
            notRun(.sign, "the gate rejected the model", &state)
            notRun(.register, "the gate rejected the model", &state)
            return
        }
        let sign = try step(SignStage(train: train, modelName: spec.registry.name, home: run.home), &state)
        finished.sign = sign
        guard spec.registry.register else {
            notRun(.register, "registry.register is false", &state)
            return
        }
        let lineage = RunLineage(fetch: fetch, verify: verify, data: data, metrics: train.metrics)
        finished.register = try step(RegisterStage(context: run, lineage: lineage,
                                                   train: train, gate: gate, sign: sign), &state)
    }

    /// Runs `stage`, or reuses its stored output when it already succeeded with the same inputs.
    /// - Throws: `RunError.corruptState` naming the stored output when it cannot be read back (a
    ///   damaged file, or a value such as a role this Quench does not know), never a silent rerun.
    private func step<S: Stage>(_ stage: S, _ state: inout RunState) throws -> S.Output {
        let inputs = try RunFiles.digest(stage.inputs())
        let resultURL = directory.result(S.name)
        if let record = state.record(S.name), record.status == .succeeded, record.inputsSHA256 == inputs,
           FileManager.default.fileExists(atPath: resultURL.path) {
            let output: S.Output
            do {
                output = try RunFiles.decode(S.Output.self, from: resultURL)
            } catch {
                try recordFailure(of: S.name, inputs: inputs, startedAt: Date(), error, &state)
                throw error
            }
            events(.reused(S.name, summary: record.summary))
            return output
        }
        let started = Date()
        state.upsert(RunState.StageRecord(name: S.name, status: .running, inputsSHA256: inputs, startedAt: started,
                                          finishedAt: nil, seconds: nil, summary: S.name.summary))
        try save(&state)
        events(.started(S.name))
        do {
            let output = try stage.run(events: events)
            try AtomicFile.writeJSON(output, to: resultURL)
            let finished = Date()
            let seconds = finished.timeIntervalSince(started)
            let summary = SecretScrubber().scrub(S.summary(output))
            state.upsert(RunState.StageRecord(name: S.name, status: .succeeded, inputsSHA256: inputs, startedAt: started,
                                              finishedAt: finished, seconds: seconds, summary: summary))
            try save(&state)
            events(.finished(S.name, seconds: seconds, summary: summary))
            return output
        } catch {
            try recordFailure(of: S.name, inputs: inputs, startedAt: started, error, &state)
            throw error
        }
    }

    /// Records in `state.json` that stage `name` failed with `error` (scrubbed of secrets).
    private func recordFailure(of name: StageName, inputs: String, startedAt started: Date, _ error: Error,
                               _ state: inout RunState) throws {
        let finished = Date()
        state.upsert(RunState.StageRecord(name: name, status: .failed, inputsSHA256: inputs, startedAt: started,
                                          finishedAt: finished, seconds: finished.timeIntervalSince(started),
                                          summary: SecretScrubber().scrub(error)))
        try save(&state)
    }

    private func notRun(_ name: StageName, _ reason: String, _ state: inout RunState) {
        let now = Date()
        state.upsert(RunState.StageRecord(name: name, status: .skipped, inputsSHA256: "", startedAt: now,
                                          finishedAt: now, seconds: 0, summary: reason))
        events(.notRun(name, reason: reason))
    }

    private func save(_ state: inout RunState) throws {
        state.updatedAt = Date()
        try state.save(to: directory.url)
    }
}
