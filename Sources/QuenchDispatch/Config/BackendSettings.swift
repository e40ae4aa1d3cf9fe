import Foundation

/// One named entry of `configs/compute.yaml`: what kind of backend, where jobs go, and how to reach it.
/// Stored with every submitted job, so `quench jobs status` works later without the compute file.
public struct BackendSettings: Codable, Sendable, Equatable {
    /// The entry's name in the compute file.
    public var name: String
    public var kind: BackendKind
    /// The folder on the machine that runs (or, for Slurm, submits) the job; one sub-folder per job.
    public var workDirectory: String
    /// The Quench binary there: an absolute path or a name on PATH.
    public var quench: String
    /// For `ssh`: the host. For `slurm`: the login node to submit through (nil submits from this machine).
    public var ssh: SSHSettings?
    /// For `slurm`: what each job asks for.
    public var slurm: SlurmResources?
    /// How often to poll status and logs, in seconds.
    public var pollSeconds: Double

    /// An entry as the compute file describes it.
    public init(name: String, kind: BackendKind, workDirectory: String, quench: String, ssh: SSHSettings? = nil,
                slurm: SlurmResources? = nil, pollSeconds: Double = 1) {
        self.name = name
        self.kind = kind
        self.workDirectory = workDirectory
        self.quench = quench
        self.ssh = ssh
        self.slurm = slurm
        self.pollSeconds = pollSeconds
    }

    /// The backend these settings describe, with `overrides` (a job spec's Slurm resources) applied;
    /// `hubToken` goes to an SSH host as a 0600 file for the run's lifetime (other kinds refuse it).
    public func makeBackend(overriding overrides: SlurmResources? = nil, hubToken: Data? = nil) throws -> any ComputeBackend {
        if hubToken != nil, kind != .ssh {
            throw DispatchError.invalidComputeConfig(file: name, key: "kind",
                                                     reason: "only an ssh backend takes a hub token to pass on")
        }
        let interval = Duration.milliseconds(Int64(max(0.05, pollSeconds) * 1000))
        switch kind {
        case .process:
            return ProcessBackend(host: LocalHost(), kind: .process, workDirectory: workDirectory, quench: quench,
                                  pollInterval: interval)
        case .ssh:
            guard let ssh else {
                throw DispatchError.invalidComputeConfig(file: name, key: "host", reason: "an ssh backend needs a host")
            }
            return ProcessBackend(host: SSHHost(settings: ssh), kind: .ssh, workDirectory: workDirectory, quench: quench,
                                  pollInterval: interval, hubToken: hubToken)
        case .slurm:
            let host: any CommandHost = ssh.map { SSHHost(settings: $0) } ?? LocalHost()
            return SlurmBackend(host: host, workDirectory: workDirectory, quench: quench, resources: slurmResources(overriding: overrides),
                                pollInterval: interval)
        }
    }

    /// The Slurm resources a job on this backend asks for: the compute file's, with every field
    /// `overrides` (a job spec's `compute.slurm`) sets taken from it.
    public func slurmResources(overriding overrides: SlurmResources?) -> SlurmResources {
        (slurm ?? SlurmResources()).merging(overrides ?? SlurmResources())
    }
}
