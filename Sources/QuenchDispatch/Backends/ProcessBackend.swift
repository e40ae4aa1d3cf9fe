import Foundation

/// Runs `quench train --bundle` as a detached process on a host: this machine (`process`) or one reached
/// over SSH (`ssh`). The process outlives the submitting command; how it ended is recorded in the
/// job's `control/` folder, so any later `quench jobs status` can read it.
public struct ProcessBackend: ComputeBackend {
    public let host: any CommandHost
    public let kind: BackendKind
    /// The folder on the host under which each job gets `<job id>/`.
    public let workDirectory: String
    /// The Quench binary on the host.
    public let quench: String
    /// How often `logs(follow:)` looks for new lines and for the end of the job.
    public let pollInterval: Duration
    /// A hub token the remote side needs to fetch a model itself, or nil. It travels on standard input
    /// into a 0600 file in the job's `control/` folder, is handed to the run as
    /// `QUENCH_HUB_TOKEN_FILE`, and is removed when the run ends or is cancelled.
    let hubToken: Data?

    /// A backend starting jobs on `host` under `workDirectory` with the binary `quench`.
    public init(host: any CommandHost, kind: BackendKind, workDirectory: String, quench: String,
                pollInterval: Duration = .seconds(1), hubToken: Data? = nil) {
        self.host = host
        self.kind = kind
        self.workDirectory = workDirectory
        self.quench = quench
        self.pollInterval = pollInterval
        self.hubToken = hubToken
    }

    /// The token file inside the job's folder on the host.
    static let tokenFile = "hub-token"

    public func submit(bundle: JobBundle) async throws -> SubmittedJob {
        try await RemoteJobFiles.checkVersion(on: host, quench: quench, expected: bundle.manifest.quenchVersion)
        let id = SubmittedJob.newID()
        let directory = workDirectory + "/" + id
        try await host.upload(bundle.directory, to: directory)
        if let hubToken {
            _ = try await host.check("mkdir -p \(ShellQuote.quote(directory + "/" + JobBundle.controlFolder))",
                                     action: "creating the job's control folder")
            try await host.writeSecret(hubToken, to: directory + "/" + JobBundle.controlFolder + "/" + Self.tokenFile)
        }
        let answer = try await host.check(Self.launchScript(directory: directory, quench: quench),
                                          action: "starting `quench train --bundle`")
        guard let pid = Self.parsePID(answer) else {
            throw DispatchError.unexpectedAnswer(host: host.name, action: "starting the job", answer: answer)
        }
        return SubmittedJob(id: id, backend: kind, remoteID: String(pid), remoteDirectory: directory,
                            quenchVersion: bundle.manifest.quenchVersion)
    }

    public func status(_ job: SubmittedJob) async throws -> JobStatus {
        let pid = try Self.pid(of: job)
        let control = ShellQuote.quote(RemoteJobFiles.control(job))
        let script = """
            c=\(control)
            if [ -f "$c/exit-code" ]; then printf 'exit %s\\n' "$(head -c 16 "$c/exit-code")"; fi
            if [ -f "$c/cancelled" ]; then echo cancelled; fi
            if kill -0 \(pid) 2>/dev/null; then echo alive; fi
            true
            """
        let answer = try await host.check(script, action: "reading the state of job \(job.id)")
        return try Self.interpret(answer, host: host.name)
    }

    public func logs(_ job: SubmittedJob, follow: Bool) -> AsyncThrowingStream<String, Error> {
        RemoteJobFiles.logLines(host: host, file: RemoteJobFiles.control(job) + "/train.log", follow: follow,
                                interval: pollInterval, status: { try await self.status(job) })
    }

    public func cancel(_ job: SubmittedJob) async throws {
        let pid = try Self.pid(of: job)
        let control = ShellQuote.quote(RemoteJobFiles.control(job))
        let script = """
            c=\(control)
            [ -f "$c/exit-code" ] && exit 0
            touch "$c/cancelled"
            kill -TERM -\(pid) 2>/dev/null || kill -TERM \(pid) 2>/dev/null
            rm -f "$c/\(Self.tokenFile)"
            true
            """
        _ = try await host.check(script, action: "cancelling job \(job.id)")
    }

    public func collect(_ job: SubmittedJob, into directory: URL) async throws -> URL {
        let current = try await status(job)
        guard current.state == .succeeded else { throw DispatchError.jobNotSucceeded(id: job.id, state: current.state.rawValue) }
        return try await RemoteJobFiles.collect(job, from: host, into: directory)
    }

    /// Writes `control/run.sh` and starts it in a session of its own (so it survives this command and
    /// can be stopped as a group), printing `pid N`. The script records the exit code atomically.
    static func launchScript(directory: String, quench: String) -> String {
        """
        set -e
        d=\(ShellQuote.quote(directory))
        mkdir -p "$d/control"
        cat > "$d/control/run.sh" <<'QUENCH_RUN_SCRIPT'
        # written by quench: runs one job bundle, removes the token file, records how the run ended
        if [ -f "$2/control/\(tokenFile)" ]; then QUENCH_HUB_TOKEN_FILE="$2/control/\(tokenFile)"; export QUENCH_HUB_TOKEN_FILE; fi
        "$1" train --bundle "$2" > "$2/control/train.log" 2>&1
        code=$?
        rm -f "$2/control/\(tokenFile)"
        echo "$code" > "$2/control/exit-code.partial" && mv "$2/control/exit-code.partial" "$2/control/exit-code"
        QUENCH_RUN_SCRIPT
        nohup setsid sh "$d/control/run.sh" \(ShellQuote.quote(quench)) "$d" < /dev/null > /dev/null 2>&1 &
        echo $! > "$d/control/pid"
        echo "pid $!"
        """
    }

    static func parsePID(_ answer: String) -> Int32? {
        let line = answer.split(separator: "\n").last { $0.hasPrefix("pid ") }
        guard let value = line.flatMap({ Int32($0.dropFirst(4)) }), value > 1 else { return nil }
        return value
    }

    static func pid(of job: SubmittedJob) throws -> Int32 {
        guard let pid = Int32(job.remoteID), pid > 1 else {
            throw DispatchError.unexpectedAnswer(host: job.backend.rawValue, action: "reading the job record", answer: job.remoteID)
        }
        return pid
    }

    /// Maps the status script's answer: a recorded exit code wins, then a live process, then the
    /// cancellation marker; a process gone without an exit code failed.
    static func interpret(_ answer: String, host: String) throws -> JobStatus {
        let lines = answer.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let cancelled = lines.contains("cancelled")
        if let exitLine = lines.first(where: { $0.hasPrefix("exit ") }) {
            guard let code = Int32(exitLine.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw DispatchError.unexpectedAnswer(host: host, action: "reading the exit code", answer: exitLine)
            }
            if cancelled { return JobStatus(state: .cancelled, rawState: "cancelled", exitCode: code) }
            return JobStatus(state: code == 0 ? .succeeded : .failed, rawState: "exited \(code)", exitCode: code)
        }
        if lines.contains("alive") { return JobStatus(state: .running, rawState: cancelled ? "stopping" : "running") }
        if cancelled { return JobStatus(state: .cancelled, rawState: "cancelled") }
        return JobStatus(state: .failed, rawState: "vanished",
                         detail: "the process ended without recording an exit code (killed, or the host restarted)")
    }
}
