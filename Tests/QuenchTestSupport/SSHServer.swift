import Foundation
import Testing

/// A real OpenSSH server on 127.0.0.1 for one test: host and client keys generated now, config in a
/// temporary folder, key-only login for the current user. Always `stop()` it (defer).
public final class SSHServer {
    /// The folder holding keys, config, pid file and log.
    public let folder: URL
    /// The port sshd listens on, on 127.0.0.1.
    public let port: Int
    /// The private key the server accepts.
    public let clientKey: URL
    /// A known-hosts file holding this server's real host key.
    public let knownHosts: URL
    /// A known-hosts file holding another key for the same address: connecting must be refused.
    public let wrongKnownHosts: URL
    /// The user to log in as (the current one).
    public let user: String
    private var pid: pid_t = 0

    /// Programs the server needs: with `.requiresPrograms(SSHServer.programs)` a test without them is skipped.
    public static let programs = ["/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/ssh"]

    /// `extraConfig`: more sshd_config lines (such as `SetEnv` for the sessions).
    public init(extraConfig: String = "") throws {
        folder = try TemporaryDirectory.create("sshd")
        for name in ["host_key", "client_key", "other_host_key"] {
            _ = try ProcessRunner.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "quench-test", "-f",
                                                           folder.appendingPathComponent(name).path]).checked("ssh-keygen")
        }
        clientKey = folder.appendingPathComponent("client_key")
        try FileManager.default.copyItem(at: folder.appendingPathComponent("client_key.pub"),
                                         to: folder.appendingPathComponent("authorized_keys"))
        port = try LoopbackPort.free()
        user = String(cString: getpwuid(getuid()).pointee.pw_name)
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(folder.appendingPathComponent("host_key").path)
            AuthorizedKeysFile \(folder.appendingPathComponent("authorized_keys").path)
            PidFile \(folder.appendingPathComponent("sshd.pid").path)
            StrictModes no
            UsePAM no
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            Subsystem sftp internal-sftp
            LogLevel ERROR
            \(extraConfig)
            """
        let configURL = folder.appendingPathComponent("sshd_config")
        try Data((config + "\n").utf8).write(to: configURL)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        knownHosts = folder.appendingPathComponent("known_hosts")
        try Data(try Self.knownHostsLine(folder.appendingPathComponent("host_key.pub"), port: port).utf8).write(to: knownHosts)
        wrongKnownHosts = folder.appendingPathComponent("known_hosts_wrong")
        try Data(try Self.knownHostsLine(folder.appendingPathComponent("other_host_key.pub"), port: port).utf8)
            .write(to: wrongKnownHosts)

        let log = folder.appendingPathComponent("sshd.log")
        do {
            pid = try Daemon.start(
                "/usr/sbin/sshd", ["-f", configURL.path, "-E", log.path], pidFile: folder.appendingPathComponent("sshd.pid"))
        } catch {
            stop()
            throw error
        }
        let port = self.port
        guard Polling.waitUntil(seconds: 15, { LoopbackPort.isListening(port) }) else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            stop()
            throw TestSetupError.timeout("sshd did not listen on port \(port): \(text)")
        }
    }

    /// `[127.0.0.1]:PORT TYPE KEY` for the public key file `publicKey`.
    public static func knownHostsLine(_ publicKey: URL, port: Int) throws -> String {
        let parts = try String(contentsOf: publicKey, encoding: .utf8).split(separator: " ")
        try #require(parts.count >= 2, "unexpected public key file \(publicKey.path)")
        return "[127.0.0.1]:\(port) \(parts[0]) \(parts[1])\n"
    }

    /// Stops sshd and removes its folder.
    public func stop() {
        Daemon.stop(pid)
        pid = 0
        try? FileManager.default.removeItem(at: folder)
    }
}
