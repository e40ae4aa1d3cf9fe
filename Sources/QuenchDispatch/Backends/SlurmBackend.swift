import Foundation

/// Submits `quench train --bundle` to a Slurm cluster with `sbatch`, from this machine or through SSH
/// on a login node; the job's folder must be on a file system the compute nodes share.
public struct SlurmBackend: ComputeBackend {
    /// Where `sbatch`, `squeue`, `scontrol`, `sacct` and `scancel` run: this machine or a login node.
    public let host: any CommandHost
    public let workDirectory: String
    /// The Quench binary on the compute nodes (checked for its release on the submit host).
    public let quench: String
    public let resources: SlurmResources
    public let pollInterval: Duration

    /// A backend submitting through `host` with `resources` for every job.
    public init(host: any CommandHost, workDirectory: String, quench: String, resources: SlurmResources,
                pollInterval: Duration = .seconds(2)) {
        self.host = host
        self.workDirectory = workDirectory
        self.quench = quench
        self.resources = resources
        self.pollInterval = pollInterval
    }

    public func submit(bundle: JobBundle) async throws -> SubmittedJob {
        try await RemoteJobFiles.checkVersion(on: host, quench: quench, expected: bundle.manifest.quenchVersion)
        let id = SubmittedJob.newID()
        let directory = workDirectory + "/" + id
        let batch = try SlurmScript.render(id: id, directory: directory, quench: quench, resources: resources)
        try await host.upload(bundle.directory, to: directory)
        let script = """
            set -e
            d=\(ShellQuote.quote(directory))
            mkdir -p "$d/control"
            cat > "$d/control/job.sbatch" <<'QUENCH_SBATCH_SCRIPT'
            \(batch)QUENCH_SBATCH_SCRIPT
            cd "$d" && sbatch --parsable control/job.sbatch
            """
        let answer = try await host.check(script, action: "submitting job \(id) with sbatch")
        guard let slurmID = Self.parseJobID(answer) else {
            throw DispatchError.unexpectedAnswer(host: host.name, action: "sbatch --parsable", answer: answer)
        }
        return SubmittedJob(id: id, backend: .slurm, remoteID: slurmID, remoteDirectory: directory,
                            quenchVersion: bundle.manifest.quenchVersion)
    }

    public func status(_ job: SubmittedJob) async throws -> JobStatus {
        let slurmID = try Self.jobID(of: job)
        let script = """
            j=\(slurmID)
            q=$(squeue -h -j "$j" -o '%T|%r' 2>/dev/null | head -n 1) || q=""
            [ -n "$q" ] && echo "squeue $q"
            case "$q" in PENDING*|CONFIGURING*|RUNNING*|COMPLETING*|SUSPENDED*|REQUEUE*) exit 0;; esac
            s=$(scontrol show job -o "$j" 2>/dev/null | head -n 1) || s=""
            [ -n "$s" ] && echo "scontrol $s" && exit 0
            a=$(sacct -n -X -P -j "$j" -o State,ExitCode 2>/dev/null | head -n 1) || a=""
            [ -n "$a" ] && echo "sacct $a" && exit 0
            c=\(ShellQuote.quote(RemoteJobFiles.control(job)))
            [ -f "$c/exit-code" ] && printf 'exit %s\\n' "$(head -c 16 "$c/exit-code")"
            true
            """
        let answer = try await host.check(script, action: "reading the state of Slurm job \(slurmID)")
        return SlurmState.interpret(answer)
    }

    public func logs(_ job: SubmittedJob, follow: Bool) -> AsyncThrowingStream<String, Error> {
        RemoteJobFiles.logLines(host: host, file: RemoteJobFiles.control(job) + "/slurm.out", follow: follow,
                                interval: pollInterval, status: { try await self.status(job) })
    }

    public func cancel(_ job: SubmittedJob) async throws {
        let slurmID = try Self.jobID(of: job)
        _ = try await host.check("scancel \(slurmID)", action: "cancelling Slurm job \(slurmID)")
    }

    public func collect(_ job: SubmittedJob, into directory: URL) async throws -> URL {
        let current = try await status(job)
        guard current.state == .succeeded else { throw DispatchError.jobNotSucceeded(id: job.id, state: current.state.rawValue) }
        return try await RemoteJobFiles.collect(job, from: host, into: directory)
    }

    /// The job id of `sbatch --parsable` (`123` or `123;cluster`).
    static func parseJobID(_ answer: String) -> String? {
        guard let line = answer.split(separator: "\n").last else { return nil }
        let id = line.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return !id.isEmpty && id.count <= 20 && id.allSatisfy(\.isASCIIDigitCharacter) ? id : nil
    }

    static func jobID(of job: SubmittedJob) throws -> String {
        guard job.remoteID.count <= 20, !job.remoteID.isEmpty, job.remoteID.allSatisfy(\.isASCIIDigitCharacter) else {
            throw DispatchError.unexpectedAnswer(host: "slurm", action: "reading the job record", answer: job.remoteID)
        }
        return job.remoteID
    }
}
