import Foundation
import QuenchConfig
import QuenchFiles

/// Reads the entries of a compute file, recording every problem with its line and key.
struct ComputeFileReader {
    var r: ConfigReader
    typealias R = ConfigReader

    /// The backends by name; an entry with a problem is left out (the problem says why).
    mutating func read(_ node: ConfigNode?) -> [String: BackendSettings] {
        let root = r.root(node)
        if root.mapping != nil, !r.isGiven("backends", in: root) { r.report(.missing, key: "backends", at: root.place) }
        var backends: [String: BackendSettings] = [:]
        for (name, entry) in r.namedEntries("backends", in: root, expected: "a mapping of named backends") {
            let relative = "backends.\(name)"
            guard name != BackendKind.inProcessName else {
                r.report(.refused(reason: "`local` is reserved: a job spec's `compute.backend: local` trains in the "
                                  + "quench process; name this backend otherwise (a detached process here is "
                                  + "`kind: process`)"),
                         key: relative, at: entry.place)
                continue
            }
            let s = r.open(entry.node, relative: relative, place: entry.place, schemaKey: "backends.*")
            if s.mapping != nil, let settings = backend(name, in: s) { backends[name] = settings }
        }
        return backends
    }

    private mutating func backend(_ name: String, in s: ConfigReader.Section) -> BackendSettings? {
        let kind = readKind(in: s)
        var work = r.optional("work_directory", in: s, absent: nil, expected: "a folder", requirement: .nonEmpty, R.text)
        if kind == .process { work = work.map(Self.absolute) }
        if let work, work.hasPrefix("~") || work.contains("\n") {
            let relative = R.join(s.relative, "work_directory")
            r.report(.invalidValue(requirement: "must be an absolute path or one relative to the login folder (no ~)",
                                   found: "'\(work)'"), key: relative, at: r.places[relative] ?? s.place)
        }
        let quench = r.value("quench", in: s, default: "quench", expected: "a path or a command name",
                             requirement: .nonEmpty, R.text)
        let poll = r.value("poll_seconds", in: s, default: 1.0, expected: "a number of seconds",
                           requirement: Requirement(text: "must be in (0, 600]", isMet: { $0 > 0 && $0 <= 600 }), R.number)
        let ssh = readSSH(in: s, required: kind == .ssh)
        if kind == .process, r.isGiven("host", in: s) {
            r.report(.conflict(with: "kind: process"), key: R.join(s.relative, "host"),
                     at: r.places[R.join(s.relative, "host")] ?? s.place)
        }
        var slurm: SlurmResources?
        if r.isGiven("slurm", in: s) {
            if let kind, kind != .slurm {
                r.report(.conflict(with: "kind: \(kind.rawValue)"), key: R.join(s.relative, "slurm"),
                         at: r.places[R.join(s.relative, "slurm")] ?? s.place)
            } else {
                slurm = readSlurm(in: r.section("slurm", in: s))
            }
        }
        guard let kind else { return nil }
        let defaultWork = kind == .process ? QuenchHome.resolve().work.path : "quench-jobs"
        return BackendSettings(name: name, kind: kind, workDirectory: work ?? defaultWork, quench: quench,
                               ssh: kind == .process ? nil : ssh, slurm: slurm, pollSeconds: poll)
    }

    /// `kind`, required; the old `local` is refused with its new name.
    private mutating func readKind(in s: ConfigReader.Section) -> BackendKind? {
        let relative = R.join(s.relative, "kind")
        switch r.lookup("kind", in: s) {
        case .absent, .null:
            r.report(.missing, key: relative, at: s.place)
            return nil
        case .present(let entry):
            if entry.node.scalar?.string == BackendKind.inProcessName {
                r.report(.refused(reason: BackendKind.refusal(of: BackendKind.inProcessName)), key: relative, at: entry.place)
                return nil
            }
            return r.parse(entry, key: relative, expected: R.choices(BackendKind.self), requirement: .any,
                           BackendKind.init(rawValue:))
        }
    }

    /// `host` and its login settings: nil without a host (reported when `required`).
    private mutating func readSSH(in s: ConfigReader.Section, required: Bool) -> SSHSettings? {
        let word = Requirement<String>(text: "must not be empty or start with '-'",
                                       isMet: { !$0.isEmpty && !$0.hasPrefix("-") })
        let host = r.optional("host", in: s, absent: nil, expected: "a host name", requirement: word, R.text)
        guard r.isGiven("host", in: s) else {
            if required {
                r.report(.refused(reason: "required: an ssh backend needs a host"), key: R.join(s.relative, "host"),
                         at: s.place)
            }
            return nil
        }
        func login(_ key: String, because reason: String, path: Bool) -> String? {
            guard r.isGiven(key, in: s) else {
                r.report(.refused(reason: "required with a host: \(reason)"), key: R.join(s.relative, key), at: s.place)
                return nil
            }
            let value = r.optional(key, in: s, absent: nil, expected: path ? "a path" : "a user name",
                                   requirement: path ? Self.keyFile : word, R.text)
            return path ? value.map(Self.absolute) : value
        }
        let user = login("user", because: "the account to log in as", path: false)
        let identity = login("identity_file", because: "Quench logs in with a key, never a password", path: true)
        let knownHosts = login("known_hosts_file", because: "the host key must be pinned", path: true)
        let port = r.value("port", in: s, default: 22, expected: "a port number", requirement: .within(1...65535), R.integer)
        guard let host, let user, let identity, let knownHosts else { return nil }
        return SSHSettings(host: host, port: port, user: user, identityFile: identity, knownHostsFile: knownHosts)
    }

    private mutating func readSlurm(in s: ConfigReader.Section) -> SlurmResources? {
        guard s.mapping != nil else { return nil }
        return SlurmResources.read(&r, in: s)
    }

    /// A key file path goes into an ssh argument between double quotes, so it may not hold one.
    static let keyFile = Requirement<String>(text: "must be a path without a double quote",
                                             isMet: { !$0.isEmpty && !$0.contains("\"") })

    /// `~` expanded and a relative path taken against the current directory.
    static func absolute(_ text: String) -> String {
        let expanded = (text as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? expanded
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(expanded).path
    }
}
