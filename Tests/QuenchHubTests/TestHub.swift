import Foundation
@testable import QuenchHub
import QuenchTestSupport

/// A file of a fixture repository. LFS files are served by the CDN through a redirect; others by the hub.
struct FixtureFile {
    let path: String
    let content: Data
    let lfs: Bool
    /// What the server really sends, when a test wants it to differ from the listing (corruption).
    var served: Data?

    init(_ path: String, _ content: Data, lfs: Bool, served: Data? = nil) {
        self.path = path
        self.content = content
        self.lfs = lfs
        self.served = served
    }

    var sha256: String { digest(content).sha256 }
    var gitSHA1: String { digest(content).gitSHA1 ?? "" }

    private func digest(_ data: Data) -> (sha256: String, gitSHA1: String?) {
        var digest = StreamingDigest(gitBlobSize: Int64(data.count))
        data.withUnsafeBytes { digest.update($0) }
        return digest.finalize()
    }
}

/// A fixture repository: its files, the CDN route its large files go through, and its quirks.
struct FixtureRepo {
    let id: String
    let commit: String
    var files: [FixtureFile]
    /// `blobs` (plain), `slow` (limit_rate 2m, for cutting a transfer) or `norange` (max_ranges 0: Range ignored).
    var cdnRoute = "blobs"
    /// Behind `limit_req` at one request per second, answering 429 with Retry-After: 1.
    var rateLimited = false
    /// Extra names in the listing that are never served (unsafe names).
    var extraNames: [String] = []

    init(_ id: String, files: [FixtureFile]) {
        self.id = id
        self.files = files
        commit = FixtureFile("", Data(id.utf8), lfs: false).gitSHA1
    }
}

/// A real HTTPS hub on loopback: nginx serving the API and resolve paths on 127.0.0.1 (bearer-token
/// check by `map $http_authorization`) and a CDN server name on 127.0.0.2 that the resolve paths of
/// LFS files redirect to. Both log the Authorization header they receive.
final class TestHub {
    let directory: URL
    let port: Int
    let token = "hf_quenchtest_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    let certificates: TestCertificates
    private var server: NginxServer?

    var endpoint: URL { URL(string: "https://127.0.0.1:\(port)")! }
    var hubLog: String { (try? String(contentsOf: directory.appendingPathComponent("hub-access.log"), encoding: .utf8)) ?? "" }
    var cdnLog: String { (try? String(contentsOf: directory.appendingPathComponent("cdn-access.log"), encoding: .utf8)) ?? "" }

    init(repos: [FixtureRepo]) throws {
        directory = try TemporaryDirectory.create("hub")
        certificates = try TestCertificates(in: directory)
        port = try LoopbackPort.free()
        var locations = ""
        for repo in repos { locations += try write(repo) }
        server = try NginxServer(directory: directory, http: http(locations: locations), port: port, hosts: ["127.0.0.1", "127.0.0.2"])
    }

    /// Stops nginx (SIGTERM to the master it started) and removes the fixture.
    func stop() { server?.stop() }

    /// Kills nginx's worker (the master, which this test started, forks a new one): every open
    /// connection is cut mid-transfer, as a crashed proxy or a dropped link would.
    func killWorkers() {
        guard let master = server?.masterPID else { return }
        for worker in ProcessTable.children(of: master) { kill(worker, SIGKILL) }
    }

    /// A configuration loaded from a hub.yaml written for this server, with a private cache and HF_HOME.
    func configuration(cache: URL, token: String?, attempts: Int = 4, extra: [String: String] = [:]) throws -> HubConfiguration {
        let file = directory.appendingPathComponent("hub.yaml")
        try """
            endpoint: \(endpoint.absoluteString)
            allowed_hosts: ["127.0.0.1", "127.0.0.2"]
            ca_bundle: \(certificates.caBundle.path)
            timeouts: {connect_seconds: 5, low_speed_bytes_per_second: 1, low_speed_seconds: 10}
            retries: {attempts: \(attempts), base_delay_seconds: 0.2, max_delay_seconds: 5}
            """.write(to: file, atomically: true, encoding: .utf8)
        var environment = ["HF_HUB_CACHE": cache.path, "HF_HOME": cache.appendingPathComponent("home").path]
        if let token { environment["HF_TOKEN"] = token }
        environment.merge(extra) { $1 }
        return try HubConfiguration.load(from: file, environment: environment)
    }

    /// Writes the repo's listing and blobs; returns its nginx locations.
    private func write(_ repo: FixtureRepo) throws -> String {
        let limit = repo.rateLimited ? "limit_req zone=limited; add_header Retry-After $retry_after always;" : ""
        var siblings: [[String: Any]] = []
        var locations = "location = /api/models/\(repo.id)/revision/main { default_type application/json; \(limit) }\n"
        for file in repo.files {
            var sibling: [String: Any] = ["rfilename": file.path, "size": file.content.count, "blobId": file.gitSHA1]
            let headers = "add_header X-Repo-Commit \(repo.commit) always; \(limit)"
            if file.lfs {
                sibling["lfs"] = ["sha256": file.sha256, "size": file.content.count, "pointerSize": 134]
                try save(file.served ?? file.content, "cdn/\(file.sha256)")
                locations += """
                    location = /\(repo.id)/resolve/\(repo.commit)/\(file.path) { \(headers)
                        add_header X-Linked-Etag "\\"\(file.sha256)\\"" always; add_header X-Linked-Size \(file.content.count) always;
                        return 302 https://127.0.0.2:\(port)/\(repo.cdnRoute)/\(file.sha256); }\n
                    """
            } else {
                try save(file.served ?? file.content, "hub/\(repo.id)/resolve/\(repo.commit)/\(file.path)")
                locations += "location = /\(repo.id)/resolve/\(repo.commit)/\(file.path) { \(headers) add_header ETag \"\\\"\(file.gitSHA1)\\\"\"; }\n"
            }
            siblings.append(sibling)
        }
        for name in repo.extraNames {
            siblings.append(["rfilename": name, "size": 2, "blobId": String(repeating: "a", count: 40)])
        }
        let listing = try JSONSerialization.data(withJSONObject: ["id": repo.id, "sha": repo.commit, "siblings": siblings])
        try save(listing, "hub/api/models/\(repo.id)/revision/main")
        return locations
    }

    private func save(_ data: Data, _ relative: String) throws {
        let url = directory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// The body of nginx's `http {}` block: the hub and CDN servers and their rules.
    private func http(locations: String) -> String {
        let dir = directory.path
        return """
                default_type application/octet-stream;
                etag off;
                map_hash_bucket_size 128;
                ssl_certificate \(certificates.certificate.path);
                ssl_certificate_key \(certificates.key.path);
                ssl_protocols TLSv1.2 TLSv1.3;
                log_format withauth '$server_addr "$request" $status auth="$http_authorization" range="$http_range" sent=$body_bytes_sent';
                # The bearer-token check: no header -> 401, a wrong token -> 403.
                map $http_authorization $auth_state { "" missing; "Bearer \(token)" ok; default wrong; }
                # Retry-After only on 429 answers (an empty add_header value adds nothing).
                map $status $retry_after { 429 1; default ""; }
                # A real rate limit: one request per second per server, the excess answered 429.
                limit_req_zone $server_name zone=limited:1m rate=1r/s;
                limit_req_status 429;
                server {
                    listen 127.0.0.1:\(port) ssl;
                    server_name hub;
                    access_log \(dir)/hub-access.log withauth;
                    root \(dir)/hub;
                    if ($auth_state = missing) { return 401; }
                    if ($auth_state = wrong) { return 403; }
            \(locations)
                }
                server {
                    listen 127.0.0.2:\(port) ssl;
                    server_name cdn;
                    access_log \(dir)/cdn-access.log withauth;
                    location /blobs/ { alias \(dir)/cdn/; }
                    # Slow enough that a test can cut the connection mid-file.
                    location /slow/ { alias \(dir)/cdn/; limit_rate 2m; }
                    # A server that ignores Range and always sends the whole file.
                    location /norange/ { alias \(dir)/cdn/; max_ranges 0; }
                }
            """
    }
}
