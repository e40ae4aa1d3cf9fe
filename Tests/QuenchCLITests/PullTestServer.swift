import Foundation

/// A minimal HTTPS hub for the CLI tests: nginx on 127.0.0.1 (API, resolve, bearer check) and a CDN
/// on 127.0.0.2, with a test CA made by openssl. Both files are LFS, so only sha256 is needed.
final class CLITestHub {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quench-cli-hub-\(UUID().uuidString)")
    let commit = "4f1c2a7b9e0d3c5a6b8e7f9012a3b4c5d6e7f809"
    private(set) var weightsSHA256 = ""
    private(set) var port = 0
    private let process = Process()
    var config: URL { directory.appendingPathComponent("hub.yaml") }
    var hubLog: String { (try? String(contentsOf: directory.appendingPathComponent("hub.log"), encoding: .utf8)) ?? "" }
    var cdnLog: String { (try? String(contentsOf: directory.appendingPathComponent("cdn.log"), encoding: .utf8)) ?? "" }

    /// Serves `files` (default: a small config and 2 MB of weights) as repository quench/cli.
    init(token: String, files given: [(String, Data)]? = nil) throws {
        let dir = directory.path
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("cdn"), withIntermediateDirectories: true)
        try "[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=Quench CLI Test CA\n[ext]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n"
            .write(toFile: "\(dir)/ca.cnf", atomically: true, encoding: .utf8)
        try "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:127.0.0.2\n"
            .write(toFile: "\(dir)/leaf.cnf", atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        _ = try Self.command("/usr/bin/openssl", ["req", "-x509", "-config", "\(dir)/ca.cnf"] + ec + ["-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.pem", "-days", "2"])
        _ = try Self.command("/usr/bin/openssl", ["req", "-new"] + ec + ["-keyout", "\(dir)/server.key", "-out", "\(dir)/server.csr", "-subj", "/CN=hub"])
        _ = try Self.command("/usr/bin/openssl", ["x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.pem", "-CAkey", "\(dir)/ca.key",
                                                  "-set_serial", "7", "-out", "\(dir)/server.pem", "-days", "2", "-extfile", "\(dir)/leaf.cnf"])
        var weights = Data(count: 2_000_000)
        for index in stride(from: 0, to: weights.count, by: 4096) { weights[index] = UInt8(truncatingIfNeeded: index / 4096) }
        let files = given ?? [("config.json", Data(#"{"model_type": "llama"}"#.utf8)), ("model.safetensors", weights)]
        var siblings: [[String: Any]] = []
        var locations = ""
        for (name, data) in files {
            try data.write(to: directory.appendingPathComponent("payload"))
            let sha = String(try Self.command("/usr/bin/sha256sum", ["\(dir)/payload"]).prefix(64))
            if name == "model.safetensors" { weightsSHA256 = sha }
            try data.write(to: directory.appendingPathComponent("cdn/\(sha)"))
            siblings.append(["rfilename": name, "size": data.count, "lfs": ["sha256": sha, "size": data.count]])
            locations += "location = /quench/cli/resolve/\(commit)/\(name) { add_header X-Repo-Commit \(commit) always; "
                + "add_header X-Linked-Etag \"\\\"\(sha)\\\"\" always; return 302 https://127.0.0.2:PORT/blobs/\(sha); }\n"
        }
        // The listing answers for the branch and for the commit it points at, as a hub does.
        for revision in ["main", commit] {
            let listing = directory.appendingPathComponent("hub/api/models/quench/cli/revision/\(revision)")
            try FileManager.default.createDirectory(at: listing.deletingLastPathComponent(), withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: ["sha": commit, "siblings": siblings]).write(to: listing)
        }

        port = try Self.freePort()
        try """
            worker_processes 1; daemon off; pid \(dir)/nginx.pid; error_log \(dir)/error.log;
            events { worker_connections 32; }
            http {
                client_body_temp_path \(dir)/body; proxy_temp_path \(dir)/proxy; fastcgi_temp_path \(dir)/fastcgi;
                uwsgi_temp_path \(dir)/uwsgi; scgi_temp_path \(dir)/scgi;
                ssl_certificate \(dir)/server.pem; ssl_certificate_key \(dir)/server.key;
                map_hash_bucket_size 128;
                log_format withauth '"$request" $status auth="$http_authorization"';
                map $http_authorization $auth_state { "" missing; "Bearer \(token)" ok; default wrong; }
                server {
                    listen 127.0.0.1:\(port) ssl; root \(dir)/hub; access_log \(dir)/hub.log withauth;
                    if ($auth_state = missing) { return 401; }
                    if ($auth_state = wrong) { return 403; }
                    \(locations.replacingOccurrences(of: "PORT", with: String(port)))
                }
                server { listen 127.0.0.2:\(port) ssl; access_log \(dir)/cdn.log withauth; location /blobs/ { alias \(dir)/cdn/; } }
            }
            """.write(toFile: "\(dir)/nginx.conf", atomically: true, encoding: .utf8)
        try """
            endpoint: https://127.0.0.1:\(port)
            allowed_hosts: ["127.0.0.1", "127.0.0.2"]
            ca_bundle: \(dir)/ca.pem
            retries: {attempts: 2, base_delay_seconds: 0.1}
            """.write(to: config, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", dir, "-c", "\(dir)/nginx.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for host in ["127.0.0.1", "127.0.0.2"] where !Self.waitForPort(host: host, port: port) {
            stop()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "nginx did not start on \(host):\(port)"])
        }
    }

    /// Stops the nginx this test started and removes its files.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func command(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(path) \(arguments.first ?? "") failed"])
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func waitForPort(host: String, port: Int) -> Bool {
        for _ in 0..<200 {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr(host)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(descriptor)
            if connected { return true }
            usleep(50_000)
        }
        return false
    }
}
