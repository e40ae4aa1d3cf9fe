import Foundation

/// How to reach a host over SSH: key-only, batch mode, and a pinned host key.
public struct SSHSettings: Codable, Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    /// The private key to log in with (`ssh -i`).
    public var identityFile: String
    /// The only known-hosts file consulted; the host's key must already be in it.
    public var knownHostsFile: String

    /// Settings for `user@host:port` with the given key and known-hosts file.
    public init(host: String, port: Int = 22, user: String, identityFile: String, knownHostsFile: String) {
        self.host = host
        self.port = port
        self.user = user
        self.identityFile = identityFile
        self.knownHostsFile = knownHostsFile
    }
}

/// A host reached with the system `ssh` and `scp`: `BatchMode=yes` (never a password prompt),
/// `StrictHostKeyChecking=yes` against the configured known-hosts file only, the configured key only,
/// and no user or system ssh_config (`-F /dev/null`), so what runs is what `compute.yaml` says.
public struct SSHHost: CommandHost {
    public let settings: SSHSettings

    /// A host reached with `settings`.
    public init(settings: SSHSettings) {
        self.settings = settings
    }

    public var name: String { "\(settings.user)@\(settings.host):\(settings.port)" }

    /// Options shared by `ssh` and `scp`.
    var commonOptions: [String] {
        [
            "-F", "/dev/null", "-i", settings.identityFile,
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=\"\(settings.knownHostsFile)\"", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
            "-o", "ConnectTimeout=20", "-o", "ServerAliveInterval=15", "-o", "LogLevel=ERROR",
        ]
    }

    /// `ssh` arguments that run `command` on the host.
    func sshArguments(_ command: String) -> [String] {
        commonOptions + ["-p", String(settings.port), "-l", settings.user, settings.host, "--", command]
    }

    /// `user@host:path` for scp (IPv6 addresses in brackets).
    func remote(_ path: String) -> String {
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        return "\(settings.user)@\(host):\(path)"
    }

    public func run(script: String) async throws -> CommandResult {
        try checked(try await ProcessRunner.collect("ssh", sshArguments("sh -s"), input: Data(script.utf8)))
    }

    public func stream(script: String, line: @escaping @Sendable (String) -> Void) async throws {
        let status = try await ProcessRunner.stream("ssh", sshArguments("sh -s"), input: Data(script.utf8), line: line)
        if status == 255 { _ = try checked(try await run(script: "true")) }
    }

    public func upload(_ local: URL, to remotePath: String) async throws {
        let parent = (remotePath as NSString).deletingLastPathComponent
        if !parent.isEmpty { _ = try await check("mkdir -p \(ShellQuote.quote(parent))", action: "creating \(parent)") }
        try await copy(["-r", "-p", "-q", local.path, remote(remotePath)], action: "copying \(local.path) to \(remotePath)")
    }

    public func download(_ remotePath: String, to local: URL) async throws {
        try await copy(["-r", "-p", "-q", remote(remotePath), local.path], action: "copying \(remotePath) back")
    }

    public func writeSecret(_ secret: Data, to remotePath: String) async throws {
        let command = "umask 077 && cat > \(ShellQuote.quote(remotePath)) && chmod 600 \(ShellQuote.quote(remotePath))"
        let result = try checked(try await ProcessRunner.collect("ssh", sshArguments(command), input: secret))
        guard result.status == 0 else {
            throw DispatchError.commandFailed(host: name, action: "writing a 0600 secret file", status: result.status,
                                              message: CommandHostLines.last(result.errorOutput))
        }
    }

    private func copy(_ arguments: [String], action: String) async throws {
        let result = try checked(try await ProcessRunner.collect(
            "scp", commonOptions + ["-P", String(settings.port)] + arguments))
        guard result.status == 0 else {
            throw DispatchError.commandFailed(host: name, action: action, status: result.status,
                                              message: CommandHostLines.last(result.errorOutput))
        }
    }

    /// Turns ssh's own failures (exit 255) into errors; a script's exit code passes through.
    private func checked(_ result: CommandResult) throws -> CommandResult {
        guard result.status == 255 else { return result }
        let message = result.errorOutput
        if message.contains("Host key verification failed") || message.contains("HOST IDENTIFICATION HAS CHANGED")
            || message.contains("No host key is known") {
            throw DispatchError.hostKeyRejected(host: name, knownHosts: settings.knownHostsFile)
        }
        throw DispatchError.commandFailed(host: name, action: "connecting with ssh", status: 255,
                                          message: CommandHostLines.last(message))
    }
}
