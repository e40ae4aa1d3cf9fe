import Foundation
import Testing

/// A real OpenSSH server on 127.0.0.1 for one test: host and client keys generated now, config in a
/// temporary folder, key-only login for the current user. Always `stop()` it (defer).
final class DispatchSSHServer {
    let folder: URL
    let port: Int
    let clientKey: URL
    /// A known-hosts file holding this server's real host key.
    let knownHosts: URL
    /// A known-hosts file holding another key for the same address: connecting must be refused.
    let wrongKnownHosts: URL
    let user: String
    private var pid: pid_t = 0

    /// `extraConfig`: more sshd_config lines (such as `SetEnv` for the sessions).
    init(extraConfig: String = "") throws {
        folder = try DispatchTestSupport.temporaryDirectory("sshd")
        let keygen = "/usr/bin/ssh-keygen"
        for name in ["host_key", "client_key", "other_host_key"] {
            let (status, output) = try DispatchTestSupport.system(
                keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "quench-test", "-f", folder.appendingPathComponent(name).path])
            try #require(status == 0, "ssh-keygen failed: \(output)")
        }
        clientKey = folder.appendingPathComponent("client_key")
        try FileManager.default.copyItem(at: folder.appendingPathComponent("client_key.pub"),
                                         to: folder.appendingPathComponent("authorized_keys"))
        port = try DispatchTestSupport.freePort()
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
            pid = try DispatchTestSupport.startDaemon(
                "/usr/sbin/sshd", ["-f", configURL.path, "-E", log.path], pidFile: folder.appendingPathComponent("sshd.pid"))
        } catch {
            stop()
            throw error
        }
        let port = self.port
        guard DispatchTestSupport.waitUntil(seconds: 15, { DispatchTestSupport.isListening(port) }) else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            stop()
            throw ServerFailure(message: "sshd did not listen on port \(port): \(text)")
        }
    }

    /// `[127.0.0.1]:PORT TYPE KEY` for the public key file `publicKey`.
    static func knownHostsLine(_ publicKey: URL, port: Int) throws -> String {
        let parts = try String(contentsOf: publicKey, encoding: .utf8).split(separator: " ")
        try #require(parts.count >= 2, "unexpected public key file \(publicKey.path)")
        return "[127.0.0.1]:\(port) \(parts[0]) \(parts[1])\n"
    }

    /// Stops sshd and removes its folder.
    func stop() {
        DispatchTestSupport.stopDaemon(pid)
        pid = 0
        try? FileManager.default.removeItem(at: folder)
    }

    /// A compute file with `loopback` (the real host key) and `impostor` (a different pinned key).
    func computeFile(workDirectory: URL, quench: URL = DispatchTestSupport.quench) throws -> URL {
        func entry(_ name: String, _ knownHosts: URL) -> String {
            """
              \(name):
                kind: ssh
                host: 127.0.0.1
                port: \(port)
                user: \(user)
                identity_file: \(clientKey.path)
                known_hosts_file: \(knownHosts.path)
                work_directory: \(workDirectory.path)
                quench: \(quench.path)
                poll_seconds: 0.5

            """
        }
        let url = folder.appendingPathComponent("compute.yaml")
        try Data(("backends:\n" + entry("loopback", knownHosts) + entry("impostor", wrongKnownHosts)).utf8).write(to: url)
        return url
    }
}

/// A test server that would not start, with its log.
struct ServerFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
