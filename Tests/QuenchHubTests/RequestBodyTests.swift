import Foundation
import QuenchTestSupport
import Testing
@testable import QuenchHub

/// POST and PUT bodies reach a real nginx whole, from memory and streamed from disk, with their length
/// announced and no `Expect: 100-continue`; plain http only to loopback, and only when allowed.
@Suite struct RequestBodyTests {
    /// nginx on 127.0.0.1: https on `port` and plain http on `plainPort`, each taking PUTs into `dav/`
    /// (WebDAV) and logging what every request carried; POST /echo is proxied so its body is logged.
    final class BodyServer {
        let directory: URL
        let port: Int
        let plainPort: Int
        let certificates: TestCertificates
        private let server: NginxServer

        init() throws {
            directory = try TemporaryDirectory.create("bodies")
            certificates = try TestCertificates(in: directory)
            port = try LoopbackPort.free()
            plainPort = try LoopbackPort.free()
            let dav = directory.appendingPathComponent("www/dav")
            try FileManager.default.createDirectory(at: dav, withIntermediateDirectories: true)
            // nginx's workers run as nobody when the tests run as root.
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dav.path)
            let dir = directory.path
            server = try NginxServer(directory: directory, http: """
                    log_format bodies '"$request" $status length=$content_length type="$content_type" expect="$http_expect" body="$request_body"';
                    access_log \(dir)/access.log bodies;
                    root \(dir)/www;
                    client_max_body_size 64m;
                    server {
                        listen 127.0.0.1:\(port) ssl;
                        ssl_certificate \(certificates.certificate.path);
                        ssl_certificate_key \(certificates.key.path);
                        location /dav/ { dav_methods PUT; }
                        location /small/ { dav_methods PUT; client_max_body_size 1k; }
                        location = /echo { client_body_buffer_size 1m; proxy_pass http://127.0.0.1:\(plainPort)/ok; }
                    }
                    server {
                        listen 127.0.0.1:\(plainPort);
                        location /dav/ { dav_methods PUT; }
                        location = /ok { return 200 "ok"; }
                    }
                """, port: port)
            guard Polling.waitUntil(seconds: 10, { LoopbackPort.isListening(plainPort) }) else {
                server.stop()
                throw TestSetupError.timeout("nginx did not listen on 127.0.0.1:\(plainPort)")
            }
        }

        deinit { server.stop() }

        var log: String { (try? String(contentsOf: directory.appendingPathComponent("access.log"), encoding: .utf8)) ?? "" }

        func stored(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent("www/dav/\(name)")) }

        func url(_ path: String, plain: Bool = false) -> URL {
            URL(string: plain ? "http://127.0.0.1:\(plainPort)\(path)" : "https://127.0.0.1:\(port)\(path)")!
        }

        func send(_ request: HTTPRequest, plainHTTPOnLoopback: Bool = false) throws -> (status: Int, body: Data) {
            let transport = CurlTransport(settings: CurlSettings(caBundle: certificates.caBundle.path, plainHTTPOnLoopback: plainHTTPOnLoopback))
            let sink = MemorySink(url: request.url)
            let head = try transport.perform(request, into: sink)
            return (head.status, sink.data)
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func putSendsBytesFromMemoryAndStreamsFiles() throws {
        let server = try BodyServer()
        let bytes = fixtureBytes(3_000_000, seed: 7)
        let put = try server.send(HTTPRequest(method: .put, url: server.url("/dav/memory.bin"), body: .data(bytes)))
        #expect(put.status == 201)
        #expect(try server.stored("memory.bin") == bytes)

        let file = server.directory.appendingPathComponent("upload.bin")
        let large = fixtureBytes(5_000_001, seed: 9)
        try large.write(to: file)
        let streamed = try server.send(HTTPRequest(method: .put, url: server.url("/dav/file.bin"), body: .file(file)))
        #expect(streamed.status == 201)
        #expect(try server.stored("file.bin") == large)

        let empty = try server.send(HTTPRequest(method: .put, url: server.url("/dav/empty.bin")))
        #expect(empty.status == 201)
        #expect(try server.stored("empty.bin").isEmpty)
        // nginx writes a request's log line after it has sent the answer: wait for all three.
        func logged() -> [Substring] { server.log.split(separator: "\n").filter { $0.hasPrefix("\"PUT") } }
        #expect(Polling.waitUntil(seconds: 10) { logged().count == 3 }, "\(logged())")
        let lines = logged()
        #expect(lines.allSatisfy { $0.contains("expect=\"-\"") }, "no Expect: 100-continue: \(lines)")
        #expect(lines.first?.contains("length=3000000") == true)
        #expect(lines.dropFirst().first?.contains("length=5000001") == true)
    }

    @Test(.requiresPrograms(NginxServer.programs)) func aRefusalBeforeTheBodyIsSentIsAnAnswerNotAFailure() throws {
        let server = try BodyServer()
        let file = server.directory.appendingPathComponent("too-large.bin")
        try fixtureBytes(4_000_000, seed: 3).write(to: file)
        let refused = try server.send(HTTPRequest(method: .put, url: server.url("/small/too-large.bin"), body: .file(file)))
        #expect(refused.status == 413)
        #expect(!FileManager.default.fileExists(atPath: server.directory.appendingPathComponent("www/small/too-large.bin").path))
    }

    @Test(.requiresPrograms(NginxServer.programs)) func postSendsItsBodyWithItsOwnContentType() throws {
        let server = try BodyServer()
        let json = HTTPRequest(
            method: .post, url: server.url("/echo"), headers: [("Content-Type", "application/json")], body: .data(Data(#"{"a":1}"#.utf8)))
        let answer = try server.send(json)
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self) == "ok")
        let bare = try server.send(HTTPRequest(method: .post, url: server.url("/echo")))
        #expect(bare.status == 200)
        // nginx writes a request's log line after it has sent the answer: wait for both lines.
        func logged() -> [Substring] { server.log.split(separator: "\n").filter { $0.hasPrefix("\"POST /echo") } }
        #expect(Polling.waitUntil(seconds: 10) { logged().count == 2 }, "\(logged())")
        let lines = logged()
        #expect(lines.first?.contains(#"length=7 type="application/json" expect="-" body="{\x22a\x22:1}""#) == true, "\(lines)")
        #expect(lines.last?.contains(#"length=0 type="-""#) == true, "no made-up form content type: \(lines)")
    }

    @Test(.requiresPrograms(NginxServer.programs)) func plainHTTPOnlyToLoopbackAndOnlyWhenAllowed() throws {
        let server = try BodyServer()
        let request = HTTPRequest(method: .put, url: server.url("/dav/plain.bin", plain: true), body: .data(Data("plain".utf8)))
        #expect(throws: HubError.insecureURL(url: request.url.absoluteString)) { try server.send(request) }
        #expect(try server.send(request, plainHTTPOnLoopback: true).status == 201)
        #expect(try server.stored("plain.bin") == Data("plain".utf8))
        let remote = HTTPRequest(url: URL(string: "http://192.0.2.1/v1/health")!)
        #expect(throws: HubError.insecureURL(url: remote.url.absoluteString)) { try server.send(remote, plainHTTPOnLoopback: true) }
    }

    @Test func badBodiesAreRefusedBeforeAnythingIsSent() throws {
        let url = URL(string: "https://127.0.0.1:9/upload")!
        let transport = CurlTransport()
        let missing = URL(fileURLWithPath: "/nonexistent/quench-upload.bin")
        #expect(throws: HubError.transport(url: url.absoluteString, reason: "cannot read the request body \(missing.path): no such file or directory")) {
            try transport.perform(HTTPRequest(method: .put, url: url, body: .file(missing)), into: MemorySink(url: url))
        }
        #expect(throws: HubError.transport(url: url.absoluteString, reason: "a GET request cannot carry a body")) {
            try transport.perform(HTTPRequest(url: url, body: .data(Data("x".utf8))), into: MemorySink(url: url))
        }
    }

    @Test func loopbackAddressesAreRecognised() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"] {
            #expect(CurlSettings.isLoopback(host), "\(host)")
        }
        for host in ["128.0.0.1", "10.0.0.1", "::2", "example.com", "127.0.0.1.example.com", ""] {
            #expect(!CurlSettings.isLoopback(host), "\(host)")
        }
    }
}
