import Foundation
import QuenchTestSupport

/// A minimal HTTPS hub for the CLI tests: nginx on 127.0.0.1 (API, resolve, bearer check) and a CDN
/// on 127.0.0.2, with `TestCertificates`. Both files are LFS, so only sha256 is needed.
final class CLITestHub {
    let directory: URL
    let commit = "4f1c2a7b9e0d3c5a6b8e7f9012a3b4c5d6e7f809"
    private(set) var weightsSHA256 = ""
    private(set) var port = 0
    private var server: NginxServer?
    var config: URL { directory.appendingPathComponent("hub.yaml") }
    var hubLog: String { (try? String(contentsOf: directory.appendingPathComponent("hub.log"), encoding: .utf8)) ?? "" }
    var cdnLog: String { (try? String(contentsOf: directory.appendingPathComponent("cdn.log"), encoding: .utf8)) ?? "" }

    /// Serves `files` (default: a small config and 2 MB of weights) as repository quench/cli.
    init(token: String, files given: [(String, Data)]? = nil) throws {
        directory = try TemporaryDirectory.create("cli-hub")
        let dir = directory.path
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("cdn"), withIntermediateDirectories: true)
        let certificates = try TestCertificates(in: directory)
        var weights = Data(count: 2_000_000)
        for index in stride(from: 0, to: weights.count, by: 4096) { weights[index] = UInt8(truncatingIfNeeded: index / 4096) }
        let files = given ?? [("config.json", Data(#"{"model_type": "llama"}"#.utf8)), ("model.safetensors", weights)]
        var siblings: [[String: Any]] = []
        var locations = ""
        for (name, data) in files {
            try data.write(to: directory.appendingPathComponent("payload"))
            let sha = String(try ProcessRunner.run("/usr/bin/sha256sum", ["\(dir)/payload"]).checked("sha256sum").standardOutput.prefix(64))
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

        port = try LoopbackPort.free()
        let http = """
                ssl_certificate \(certificates.certificate.path); ssl_certificate_key \(certificates.key.path);
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
            """
        try """
            endpoint: https://127.0.0.1:\(port)
            allowed_hosts: ["127.0.0.1", "127.0.0.2"]
            ca_bundle: \(certificates.caBundle.path)
            retries: {attempts: 2, base_delay_seconds: 0.1}
            """.write(to: config, atomically: true, encoding: .utf8)
        server = try NginxServer(directory: directory, http: http, port: port, hosts: ["127.0.0.1", "127.0.0.2"])
    }

    /// Stops the nginx this test started and removes its files.
    func stop() { server?.stop() }
}
