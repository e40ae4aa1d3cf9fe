import Foundation
import Synchronization

/// Set by the SIGINT handler itself, so the command's own thread sees an interrupt before it can see
/// the children (an ssh, a local training process) the same Ctrl-C ended.
private let interruptReceived = Atomic<Bool>(false)

/// Ctrl-C while a job may be running on a compute backend: the one interrupt path of `quench run` and
/// `quench jobs submit`. The first Ctrl-C says what was interrupted, cancels the backend job (giving
/// up after `cancelSeconds` and saying so), says how to continue, and ends the process with exit code
/// 130; a second Ctrl-C ends it at once.
public enum Interrupt {
    /// How long the cancel of a backend job may take before Quench gives up and says so.
    public static let cancelSeconds = 30.0

    /// What the first Ctrl-C does.
    public struct Plan: Sendable {
        /// What was under way, read when Ctrl-C comes ("during train").
        public let activity: @Sendable () -> String
        /// Cancels the unfinished backend job within the given seconds; its id, or nil when there is none.
        public let cancel: @Sendable (_ seconds: Double) throws -> String?
        /// How to continue, said last ("resume with: quench run --resume runs/…").
        public let next: String

        /// A plan: say `activity()`, `cancel`, then say `next`.
        public init(activity: @escaping @Sendable () -> String, cancel: @escaping @Sendable (_ seconds: Double) throws -> String?,
                    next: String) {
            self.activity = activity
            self.cancel = cancel
            self.next = next
        }
    }

    /// Handles Ctrl-C with `plan` for as long as the process lives; `say` receives each line to show.
    public static func install(_ plan: Plan, say: @escaping @Sendable (String) -> Void) {
        // A plain handler that only sets a flag (async-signal-safe); the work happens on a thread.
        signal(SIGINT) { _ in interruptReceived.store(true, ordering: .sequentiallyConsistent) }
        let worker = Thread {
            while !interruptReceived.load(ordering: .sequentiallyConsistent) { usleep(20_000) }
            signal(SIGINT, SIG_DFL)
            carryOut(plan, say: say)
        }
        worker.start()
    }

    /// After Ctrl-C, the command's own thread stops here and leaves the exit to the handler: the
    /// children the terminal interrupted too make the command fail, and that failure must not end the
    /// process before the backend job is cancelled.
    public static func waitIfInterrupted() {
        guard interruptReceived.load(ordering: .sequentiallyConsistent) else { return }
        while true { sleep(60) }
    }

    /// `waitIfInterrupted()` after `error` ended the command's work. A child that Ctrl-C ended (exit
    /// 130: 128 + SIGINT) can be seen before this process's own handler has run, since the terminal
    /// signals every process of the group and a loaded machine may run the handler later; such an
    /// error waits up to `childGraceSeconds` for the handler before the error is let through.
    public static func waitIfInterrupted(after error: any Error) {
        if case DispatchError.commandFailed(_, _, let status, _) = error, status == 128 + SIGINT {
            let deadline = Date().addingTimeInterval(childGraceSeconds)
            while !interruptReceived.load(ordering: .sequentiallyConsistent), Date() < deadline { usleep(10_000) }
        }
        waitIfInterrupted()
    }

    /// How long an error from a child that Ctrl-C ended waits for this process's own Ctrl-C handler.
    static let childGraceSeconds = 5.0

    private static func carryOut(_ plan: Plan, say: @Sendable (String) -> Void) -> Never {
        say("\ninterrupted \(plan.activity())")
        do {
            if let job = try plan.cancel(cancelSeconds) { say("cancelled training job \(job) on its backend") }
        } catch {
            say("could not cancel the remote training job: \(error); see `quench jobs list` and `quench cancel ID`")
        }
        say(plan.next)
        exit(130)
    }
}
