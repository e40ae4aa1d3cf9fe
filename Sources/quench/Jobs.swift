import ArgumentParser
import Foundation
import QuenchDispatch

/// `quench jobs`: training sent to a compute backend (this machine, an SSH host, a Slurm cluster).
struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Submit training to a compute backend and follow, cancel or collect it.",
        discussion: """
            Backends are named in a compute file (configs/compute.yaml), each of a kind: `process` (a \
            detached process on this machine), `ssh` (a host reached with the system ssh/scp, key-only, host \
            key pinned) or `slurm` (sbatch here or on a login node). `local` is neither a kind nor a backend \
            name there: in a job spec, `compute.backend: local` trains inside the `quench run` process. \
            Submitted jobs are recorded under $QUENCH_HOME/jobs (default ~/.local/share/quench/jobs), so \
            these commands work from any later shell. Results are verified file by file against the \
            returned sha256 manifest before they are kept; metrics the remote reports are shown, never trusted.

            Examples:
              quench jobs submit jobs/tiny_lora.yaml --backend gpu-box --wait
              quench jobs list
              quench jobs status q20250101-120000-1a2b3c4d
              quench jobs logs q2025 --follow
              quench jobs cancel q2025
              quench jobs collect q2025 --into runs/remote-result
            """,
        subcommands: [JobsSubmit.self, JobsList.self, JobsStatus.self, JobsLogs.self, JobsCancel.self, JobsCollect.self])
}

/// The job id argument shared by the per-job commands.
struct JobIDArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The job id from `quench jobs list` (a unique prefix is enough).", valueName: "id"))
    var id: String

    /// The job's record and a dispatcher that reaches it the way it was submitted.
    func open() throws -> (JobRecord, Dispatcher) {
        let store = JobStore.standard()
        let record = try store.find(id)
        return (record, try Dispatcher(record: record, store: store))
    }
}

/// One line of `quench jobs list` / `status`.
func describe(_ status: JobStatus) -> String {
    var text = "\(status.state.rawValue) (\(status.rawState)"
    if let code = status.exitCode { text += ", exit code \(code)" }
    text += ")"
    if let detail = status.detail { text += ": \(detail)" }
    return text
}

/// `quench jobs list`: every recorded job with the state last seen.
struct JobsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List submitted jobs with the state last seen (`jobs status` refreshes one).",
        discussion: "Example:\n  quench jobs list --json")

    @Flag(help: "Print the records as JSON.")
    var json = false

    func run() async throws {
        let records = try JobStore.standard().list()
        if json { return try printJSON(records) }
        if records.isEmpty { print("no jobs submitted yet") }
        for record in records {
            let state = record.lastStatus.map { $0.state.rawValue } ?? "submitted"
            print("\(record.job.id)  \(record.settings.name) (\(record.job.backend.rawValue) \(record.job.remoteID))  \(state)"
                  + (record.results.map { "  results: \($0)" } ?? ""))
        }
    }
}

/// `quench jobs status ID`: asks the backend now.
struct JobsStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Ask the backend for a job's state (queued, running, succeeded, failed, cancelled, timed_out, ...).",
        discussion: "Example:\n  quench jobs status q20250101-120000-1a2b3c4d --json")

    @OptionGroup var job: JobIDArgument
    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() async throws {
        let (record, dispatcher) = try job.open()
        let status = try await dispatcher.status(record)
        if json { return try printJSON(status) }
        print("\(record.job.id): \(describe(status))")
    }
}

/// `quench jobs logs ID`: the job's log, optionally followed to the end.
struct JobsLogs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a job's log; with --follow, keep printing until the job ends.",
        discussion: "Example:\n  quench jobs logs q20250101-120000-1a2b3c4d --follow")

    @OptionGroup var job: JobIDArgument
    @Flag(help: "Keep printing new lines until the job ends.")
    var follow = false

    func run() async throws {
        let (record, dispatcher) = try job.open()
        for try await line in dispatcher.backend.logs(record.job, follow: follow) { print(line) }
    }
}

/// `quench jobs cancel ID`: stops the job on its backend.
struct JobsCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a submitted job (scancel on Slurm, a signal to the process group elsewhere).",
        discussion: """
            Also available as `quench cancel ID`. A `quench run` waiting for the job then reports it cancelled.

            Examples:
              quench jobs cancel q20250101-120000-1a2b3c4d
              quench cancel q20250101
            """)

    @OptionGroup var job: JobIDArgument

    func run() async throws {
        let (record, dispatcher) = try job.open()
        try await dispatcher.backend.cancel(record.job)
        print("cancel requested for \(record.job.id)")
    }
}

/// `quench jobs collect ID`: fetch and verify the results of a succeeded job.
struct JobsCollect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Fetch a succeeded job's outputs and verify every file against the returned sha256 manifest.",
        discussion: "Example:\n  quench jobs collect q20250101-120000-1a2b3c4d --into runs/remote-result")

    @OptionGroup var job: JobIDArgument
    @Option(help: ArgumentHelp("A new folder for the results (default: the job's folder under $QUENCH_HOME/jobs).",
                               valueName: "dir"))
    var into: String?

    func run() async throws {
        let (record, dispatcher) = try job.open()
        let results = try await dispatcher.collect(record, into: into.map { URL(fileURLWithPath: $0) })
        print("verified results of \(record.job.id) in \(results.path)")
    }
}
