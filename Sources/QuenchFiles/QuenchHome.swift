import Foundation

/// The folder holding what Quench keeps between runs: `$QUENCH_HOME`, by default
/// `~/.local/share/quench`. The one place that resolves it and names what lies inside, so the
/// signing key, the registry and the jobs record are always looked for in the same folder.
public struct QuenchHome: Sendable, Equatable {
    /// The folder itself.
    public let root: URL

    /// The home at `root` (a `--home` option, a test's temporary folder).
    public init(root: URL) {
        self.root = root
    }

    /// `$QUENCH_HOME` (a leading `~` expanded), or `~/.local/share/quench` when it is unset or empty.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> QuenchHome {
        if let path = environment["QUENCH_HOME"], !path.isEmpty {
            return QuenchHome(root: URL(fileURLWithPath: (path as NSString).expandingTildeInPath))
        }
        return QuenchHome(root: FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/quench"))
    }

    /// The private key's file name in a key folder.
    public static let signingKeyFileName = "signing.key"
    /// The public key's file name in a key folder.
    public static let signingPublicKeyFileName = "signing.pub"

    /// `keys/`: the signing key pair (the folder is created 0700).
    public var keys: URL { root.appendingPathComponent("keys") }
    /// `keys/signing.key`: the private key signing models, artifacts and audit checkpoints.
    public var signingKey: URL { keys.appendingPathComponent(Self.signingKeyFileName) }
    /// `keys/signing.pub`: the public half, for verifiers.
    public var signingPublicKey: URL { keys.appendingPathComponent(Self.signingPublicKeyFileName) }

    /// `registry.sqlite`: the registry's versions, decisions and audit log.
    public var registryDatabase: URL { root.appendingPathComponent("registry.sqlite") }
    /// `audit/checkpoints.jsonl`: the signed tree heads of the audit log.
    public var auditCheckpoints: URL { root.appendingPathComponent("audit/checkpoints.jsonl") }
    /// `objects/sha256/`: registered files, stored once by content hash.
    public var artifactObjects: URL { root.appendingPathComponent("objects/sha256") }
    /// `staging/`: versions being laid out before they are registered.
    public var artifactStaging: URL { root.appendingPathComponent("staging") }
    /// `models/`: one folder per registered model, one per version inside.
    public var models: URL { root.appendingPathComponent("models") }

    /// `jobs/`: the record of submitted jobs, one JSON file (and one folder) per job.
    public var jobs: URL { root.appendingPathComponent("jobs") }
    /// `work/`: the working folders of jobs run as detached local processes.
    public var work: URL { root.appendingPathComponent("work") }
}
