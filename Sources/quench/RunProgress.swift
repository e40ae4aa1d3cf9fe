import Foundation
import Synchronization
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
            print("next, as a user with the approver role in configs/registry.yaml who did not register it:")
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

/// Set by the SIGINT handler itself, so the run's thread sees an interrupt before it can see the
/// children the same Ctrl-C ended.
private let interruptReceived = Atomic<Bool>(false)

/// Ctrl-C during a run: cancel a remote training job the run waits for, say where it stopped and how
/// to continue, then exit 130. Every run file is written atomically and training checkpoints are
/// complete or absent, so stopping here loses at most the steps since the last checkpoint. A second
/// Ctrl-C ends the process at once.
enum InterruptHandler {
    /// How long the cancel of a remote job may take before Quench gives up and says so.
    static let cancelSeconds = 30.0

    /// Starts handling Ctrl-C for the run in `runDirectory`, for as long as the process lives.
    static func install(runDirectory: String) {
        // A plain handler that only sets a flag (async-signal-safe); the work happens on a thread.
        signal(SIGINT) { _ in interruptReceived.store(true, ordering: .sequentiallyConsistent) }
        let worker = Thread {
            while !interruptReceived.load(ordering: .sequentiallyConsistent) { usleep(20_000) }
            signal(SIGINT, SIG_DFL)
            cancelAndExit(runDirectory: runDirectory)
        }
        worker.start()
    }

    private static func cancelAndExit(runDirectory: String) -> Never {
        let stage = (try? RunState.load(from: URL(fileURLWithPath: runDirectory)))?.stages.last?.name.rawValue ?? "start"
        progress("\ninterrupted during \(stage)")
        do {
            if let job = try JobRunner.cancelRemoteTraining(runDirectory: URL(fileURLWithPath: runDirectory),
                                                           timeout: cancelSeconds) {
                progress("cancelled training job \(job) on its backend")
            }
        } catch {
            progress("could not cancel the remote training job: \(Scrub.text("\(error)")); see `quench jobs list` and `quench cancel ID`")
        }
        progress("resume with: quench run --resume \(runDirectory)")
        exit(130)
    }

    /// After Ctrl-C, the run's own thread stops here and leaves the exit to the handler: the children
    /// the terminal interrupted too make the run fail, and that failure must not end the process
    /// before the remote job is cancelled.
    static func waitIfInterrupted() {
        guard interruptReceived.load(ordering: .sequentiallyConsistent) else { return }
        while true { sleep(60) }
    }
}
