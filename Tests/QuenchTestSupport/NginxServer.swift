import Foundation

/// nginx (/usr/sbin/nginx) in the foreground for one test, its configuration, pid, logs and temp
/// files in `directory`, which it owns: `stop()` (always, in a defer) removes it.
public final class NginxServer {
    /// The folder holding nginx.conf, error.log and nginx's temp folders.
    public let directory: URL
    private let process = Process()

    /// Programs an HTTPS test server needs (nginx, and openssl for `TestCertificates`): with
    /// `.requiresPrograms(NginxServer.programs)` a test without them is skipped.
    public static let programs = ["/usr/sbin/nginx", "/usr/bin/openssl"]

    /// Writes nginx.conf with `http` (the body of its `http {}` block) and starts nginx, waiting until
    /// every address in `hosts` accepts connections on `port`. If it does not, `directory` is removed.
    public init(directory: URL, http: String, port: Int, hosts: [String] = ["127.0.0.1"]) throws {
        self.directory = directory
        let dir = directory.path
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        try """
            worker_processes 1;
            daemon off;
            pid \(dir)/nginx.pid;
            error_log \(dir)/error.log;
            events { worker_connections 64; }
            http {
                client_body_temp_path \(dir)/tmp/body;
                proxy_temp_path \(dir)/tmp/proxy;
                fastcgi_temp_path \(dir)/tmp/fastcgi;
                uwsgi_temp_path \(dir)/tmp/uwsgi;
                scgi_temp_path \(dir)/tmp/scgi;
            \(http)
            }
            """.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", dir, "-c", directory.appendingPathComponent("nginx.conf").path]
        process.standardOutput = FileHandle.nullDevice
        let stderrLog = directory.appendingPathComponent("error.log")
        _ = FileManager.default.createFile(atPath: stderrLog.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: stderrLog)
        try process.run()
        for host in hosts where !Polling.waitUntil(seconds: 10, { LoopbackPort.isListening(port, host: host) }) {
            let log = (try? String(contentsOf: stderrLog, encoding: .utf8)) ?? "no error.log"
            stop()
            throw TestSetupError.timeout("nginx did not listen on \(host):\(port) within 10 s; nginx said: \(log.suffix(600))")
        }
    }

    /// The pid of the nginx master this test started.
    public var masterPID: pid_t { process.processIdentifier }

    /// Stops nginx (SIGTERM to the master), waits for it and removes `directory`.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
