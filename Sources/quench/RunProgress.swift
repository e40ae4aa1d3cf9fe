import Foundation
import QuenchDispatch
import QuenchJobs

/// Prints run events as stage-by-stage progress lines with timings (standard error).
enum RunProgressPrinter {
    static let events: RunEvents = { event in
        switch event {
        case .started(let stage):
            progress("▶ \(stage.rawValue): \(stage.summary)…")
        case .finished(let stage, let seconds, let summary):
            progress(String(format: "✓ %@ (%.1fs): %@", stage.rawValue, seconds, Scrub.text(summary)))
        case .reused(let stage, let summary):
            progress("✓ \(stage.rawValue) (unchanged, kept): \(Scrub.text(summary))")
        case .notRun(let stage, let reason):
            progress("– \(stage.rawValue) not run: \(reason)")
        case .message(let text):
            progress("  \(Scrub.text(text))")
        }
    }

    /// The one summary at the end of a run.
    static func summary(_ outcome: RunOutcome) {
        let total = outcome.state.stages.compactMap(\.seconds).reduce(0, +)
        print("\(outcome.state.job): \(outcome.state.status.rawValue) in \(String(format: "%.1f", total))s")
        if let reason = outcome.gateReason { print("gate \(reason)") }
        if let registered = outcome.registered {
            print("registered \(registered) (pending approval)")
            if let server = outcome.registryServer {
                print("next, as a user of \(server) with the approver role who neither trained nor registered it")
                print("(QUENCH_REGISTRY_URL=\(server) and that user's token in QUENCH_REGISTRY_TOKEN_FILE):")
            } else {
                print("next, as a user with the approver role in configs/registry.yaml who did not register it:")
            }
            print("  quench registry approve \(registered) --note \"report reviewed\"")
            print("  quench registry promote \(registered) --to staging")
            print("  quench registry promote \(registered) --to production")
        }
        print("report: \(outcome.directory.path)/report.html")
    }
}

/// The outcome of `quench run --json`.
struct RunOutcomeView: Encodable {
    let runDirectory: String
    let job: String
    let status: String
    let gatePassed: Bool?
    let gateReason: String?
    let registered: String?
    let report: String
    let stages: [RunState.StageRecord]

    init(_ outcome: RunOutcome) {
        runDirectory = outcome.directory.path
        job = outcome.state.job
        status = outcome.state.status.rawValue
        gatePassed = outcome.gatePassed
        gateReason = outcome.gateReason
        registered = outcome.registered
        report = outcome.directory.path + "/report.json"
        stages = outcome.state.stages
    }

    enum CodingKeys: String, CodingKey {
        case job, status, registered, report, stages
        case runDirectory = "run_directory", gatePassed = "gate_passed", gateReason = "gate_reason"
    }
}

/// Ctrl-C for the commands that wait on a backend job (`quench run`, `quench jobs submit`): the one
/// interrupt path (`Interrupt`), its lines scrubbed of secrets. Every run file is written atomically
/// and training checkpoints are complete or absent, so stopping a run loses at most the steps since
/// the last checkpoint.
enum InterruptHandler {
    /// Starts handling Ctrl-C for the run in `runDirectory`, for as long as the process lives.
    static func install(runDirectory: String) {
        install(JobRunner.interruptPlan(runDirectory: URL(fileURLWithPath: runDirectory)))
    }

    /// Starts handling Ctrl-C with `plan`, for as long as the process lives.
    static func install(_ plan: Interrupt.Plan) {
        Interrupt.install(plan, say: { progress(Scrub.text($0)) })
    }

    /// After Ctrl-C, the command's own thread stops here until the handler has cancelled the job and exited.
    static func waitIfInterrupted() {
        Interrupt.waitIfInterrupted()
    }

    /// As `waitIfInterrupted()`, after `error` ended the command's work: an error from a child the same
    /// Ctrl-C ended first waits for the handler, so the interrupt path runs instead of the error's.
    static func waitIfInterrupted(after error: any Error) {
        Interrupt.waitIfInterrupted(after: error)
    }
}
