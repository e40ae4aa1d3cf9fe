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

/// Ctrl-C during a run: cancel a remote training job the run waits for, say where it stopped and how
/// to continue, then exit 130. Every run file is written atomically and training checkpoints are
/// complete or absent, so stopping here loses at most the steps since the last checkpoint. A second
/// Ctrl-C ends the process at once.
enum InterruptHandler {
    /// How long the cancel of a remote job may take before Quench gives up and says so.
    static let cancelSeconds = 30.0
    private static let interrupted = Atomic<Bool>(false)
    private static let queue = DispatchQueue(label: "quench.interrupt")

    /// Starts handling Ctrl-C; keep the returned source alive for as long as the run lasts.
    static func install(runDirectory: String) -> DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: queue)
        source.setEventHandler {
            interrupted.store(true, ordering: .sequentiallyConsistent)
            signal(SIGINT, SIG_DFL)
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
        source.resume()
        return source
    }

    /// After Ctrl-C, the run's own thread stops here and leaves the exit to the handler: the children
    /// the terminal interrupted too make the run fail, and that failure must not end the process
    /// before the remote job is cancelled.
    static func waitIfInterrupted() {
        guard interrupted.load(ordering: .sequentiallyConsistent) else { return }
        while true { sleep(60) }
    }
}
