import Foundation
import QuenchFiles
import Yams

/// `configs/compute.yaml`: the named backends a job spec's `compute.backend` (or
/// `quench jobs submit --backend`) chooses from.
///
/// ```yaml
/// backends:
///   gpu-box:
///     kind: ssh                      # local | ssh | slurm
///     host: gpu-box.example.org
///     port: 22
///     user: quench
///     identity_file: ~/.ssh/quench_ed25519
///     known_hosts_file: ~/.ssh/quench_known_hosts
///     work_directory: /scratch/quench/jobs
///     quench: /opt/quench/bin/quench
///   cluster:
///     kind: slurm                    # with host/user/...: submit through that login node
///     work_directory: /shared/quench/jobs
///     slurm: {partition: gpu, time_limit: "02:00:00", cpus: 8, memory: 32G, gpus: 1, account: ml, qos: normal}
/// ```
public struct ComputeConfig: Sendable, Equatable {
    /// The entries, by name.
    public let backends: [String: BackendSettings]

    static let entryKeys = ["kind", "host", "port", "user", "identity_file", "known_hosts_file", "work_directory",
                            "quench", "slurm", "poll_seconds"]
    /// The keys of a `slurm` resources section (here, and in a job spec's `compute.slurm`).
    public static let slurmKeys = ["partition", "time_limit", "cpus", "memory", "gpus", "gpu_type", "account", "qos"]

    /// The backend named `name`, or an error listing the known names.
    public func backend(named name: String) throws -> BackendSettings {
        guard let settings = backends[name] else { throw DispatchError.unknownBackend(name: name, known: backends.keys.sorted()) }
        return settings
    }

    /// Reads the compute file at `url`; `~` and relative paths of key files are resolved here, against
    /// the home folder and the current directory.
    public static func load(contentsOf url: URL) throws -> ComputeConfig {
        let text: String
        do {
            text = try RegularFile.text(of: url.path, limit: 1 << 20)
        } catch {
            throw DispatchError.fileFailed(path: url.path, reason: "cannot read the compute file: \(error.reason)")
        }
        return try load(yaml: text, file: url.path)
    }

    /// Parses compute-file text; `file` names it in messages.
    public static func load(yaml: String, file: String) throws -> ComputeConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw DispatchError.invalidComputeConfig(file: file, key: "", reason: "not valid YAML: \(error)")
        }
        guard case .mapping(let top)? = root else {
            throw DispatchError.invalidComputeConfig(file: file, key: "backends", reason: "the file must be a mapping with 'backends'")
        }
        let reader = Reader(file: file)
        try reader.onlyKeys(["backends"], in: top, at: "")
        guard case .mapping(let entries)? = Reader.entry("backends", in: top) else {
            throw DispatchError.invalidComputeConfig(file: file, key: "backends", reason: "must be a mapping of named backends")
        }
        var backends: [String: BackendSettings] = [:]
        for (key, value) in entries {
            guard let name = key.scalar?.string, !name.isEmpty else {
                throw DispatchError.invalidComputeConfig(file: file, key: "backends", reason: "every backend needs a name")
            }
            backends[name] = try reader.backend(name, value)
        }
        return ComputeConfig(backends: backends)
    }
}

extension ComputeConfig {
    /// Reads one file's entries with errors that name the key.
    struct Reader {
        let file: String

        static func entry(_ key: String, in mapping: Node.Mapping) -> Node? {
            mapping.first { $0.key.scalar?.string == key }?.value
        }

        func fail(_ key: String, _ reason: String) -> DispatchError {
            .invalidComputeConfig(file: file, key: key, reason: reason)
        }

        func onlyKeys(_ known: [String], in mapping: Node.Mapping, at path: String) throws {
            for key in mapping.keys {
                let name = key.scalar?.string ?? "?"
                guard known.contains(name) else {
                    throw fail(path.isEmpty ? name : "\(path).\(name)", "unknown key; known: \(known.joined(separator: ", "))")
                }
            }
        }

        func string(_ key: String, in mapping: Node.Mapping, at path: String) throws -> String? {
            guard let node = Self.entry(key, in: mapping), node.null == nil else { return nil }
            guard let text = node.scalar?.string, !text.isEmpty else { throw fail("\(path).\(key)", "must be text") }
            return text
        }

        func integer(_ key: String, in mapping: Node.Mapping, at path: String) throws -> Int? {
            guard let text = try string(key, in: mapping, at: path) else { return nil }
            guard let value = Int(text), value >= 1 else { throw fail("\(path).\(key)", "must be a whole number ≥ 1, found '\(text)'") }
            return value
        }

        /// A path with `~` expanded and relative paths taken against the current directory.
        func path(_ key: String, in mapping: Node.Mapping, at path: String) throws -> String? {
            guard let text = try string(key, in: mapping, at: path) else { return nil }
            let expanded = (text as NSString).expandingTildeInPath
            guard !expanded.contains("\"") else { throw fail("\(path).\(key)", "must not contain a double quote") }
            return expanded.hasPrefix("/") ? expanded
                : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(expanded).path
        }

        func backend(_ name: String, _ node: Node) throws -> BackendSettings {
            let at = "backends.\(name)"
            guard case .mapping(let m) = node else { throw fail(at, "must be a mapping") }
            try onlyKeys(ComputeConfig.entryKeys, in: m, at: at)
            let kindText = try string("kind", in: m, at: at) ?? ""
            guard let kind = BackendKind(rawValue: kindText) else {
                throw fail("\(at).kind", "must be one of \(BackendKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let defaultWork = kind == .local ? JobStore.defaultHome().appendingPathComponent("work").path : "quench-jobs"
            let work = (kind == .local ? try path("work_directory", in: m, at: at) : try string("work_directory", in: m, at: at))
                ?? defaultWork
            guard !work.hasPrefix("~"), !work.contains("\n") else {
                throw fail("\(at).work_directory", "must be an absolute path or one relative to the login folder (no ~)")
            }
            var settings = BackendSettings(name: name, kind: kind, workDirectory: work,
                                           quench: try string("quench", in: m, at: at) ?? "quench")
            if let seconds = try string("poll_seconds", in: m, at: at) {
                guard let value = Double(seconds), value > 0, value <= 600 else {
                    throw fail("\(at).poll_seconds", "must be a number of seconds in (0, 600]")
                }
                settings.pollSeconds = value
            }
            settings.ssh = try ssh(m, at: at, required: kind == .ssh)
            if kind == .local, settings.ssh != nil { throw fail("\(at).host", "a local backend takes no host") }
            if let slurmNode = Self.entry("slurm", in: m), slurmNode.null == nil {
                guard kind == .slurm else { throw fail("\(at).slurm", "only a slurm backend takes Slurm resources") }
                settings.slurm = try slurm(slurmNode, at: "\(at).slurm")
            }
            return settings
        }

        func ssh(_ m: Node.Mapping, at: String, required: Bool) throws -> SSHSettings? {
            guard let host = try string("host", in: m, at: at) else {
                if required { throw fail("\(at).host", "an ssh backend needs a host") }
                return nil
            }
            guard let user = try string("user", in: m, at: at) else { throw fail("\(at).user", "required with a host") }
            guard let identity = try path("identity_file", in: m, at: at) else {
                throw fail("\(at).identity_file", "required with a host: Quench logs in with a key, never a password")
            }
            guard let knownHosts = try path("known_hosts_file", in: m, at: at) else {
                throw fail("\(at).known_hosts_file", "required with a host: the host key must be pinned")
            }
            let port = try integer("port", in: m, at: at) ?? 22
            guard port <= 65535 else { throw fail("\(at).port", "must be at most 65535") }
            guard !host.hasPrefix("-"), !user.hasPrefix("-") else { throw fail("\(at).host", "must not start with '-'") }
            return SSHSettings(host: host, port: port, user: user, identityFile: identity, knownHostsFile: knownHosts)
        }

        func slurm(_ node: Node, at: String) throws -> SlurmResources {
            guard case .mapping(let m) = node else { throw fail(at, "must be a mapping") }
            try onlyKeys(ComputeConfig.slurmKeys, in: m, at: at)
            let resources = SlurmResources(
                partition: try string("partition", in: m, at: at), timeLimit: try string("time_limit", in: m, at: at),
                cpus: try integer("cpus", in: m, at: at), memory: try string("memory", in: m, at: at),
                gpus: try integer("gpus", in: m, at: at), gpuType: try string("gpu_type", in: m, at: at),
                account: try string("account", in: m, at: at), qos: try string("qos", in: m, at: at))
            do {
                try resources.check()
            } catch DispatchError.invalidComputeConfig(_, let key, let reason) {
                throw fail("\(at).\(key)", reason)
            }
            return resources
        }
    }
}
