import Foundation
import QuenchHub
import QuenchRegistry
import QuenchRegistryClient
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// What the client trusts: a token only from a private file (or the environment), and a version's bytes
    /// only when the pinned key signed them, whatever the server says.
    @Suite struct ClientTrustTests {
        @Test func theTokenFileMustBePrivate() throws {
            let fixture = try ClientFixture()
            let file = fixture.server.directory.url.appendingPathComponent("token")
            let token = try #require(fixture.server.tokens["trainer-t"])
            try Data((token + "\n").utf8).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            var environment = fixture.environment(as: "trainer-t")
            environment["QUENCH_REGISTRY_TOKEN"] = nil
            environment["QUENCH_REGISTRY_TOKEN_FILE"] = file.path
            #expect(try RemoteRegistry.connect(fixture.server.server.url, environment: environment).list(name: nil).isEmpty)

            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
            let refused = clientError { _ = try RemoteRegistry.connect(fixture.server.server.url, environment: environment) }
            guard case .tokenFileUnreadable(let path, _)? = refused else {
                Issue.record("expected tokenFileUnreadable, got \(String(describing: refused))")
                return
            }
            #expect(path == file.path)
            #expect(refused.map { "\($0)" }?.contains(token) == false)
        }

        @Test func bytesTheServerServesAreCheckedAgainstThePinnedKey() throws {
            let fixture = try ClientFixture()
            _ = try fixture.client(as: "trainer-t").register(try fixture.candidate())
            let reference = VersionReference(name: "support-bot", version: 1)
            let environment = fixture.environment(as: "approver-a")
            let url = try #require(URL(string: fixture.server.server.url))
            let lying = RemoteRegistry(
                url: url, token: try RegistryToken.load(environment: environment, for: fixture.server.server.url),
                witness: try AuditWitness.forRegistry(url, environment: environment),
                transport: TamperingTransport(pathSuffix: "/files/adapter_model.safetensors"))
            let refused = clientError { _ = try lying.verify(reference) }
            guard case .signatureMismatch(let subject, _, let reason)? = refused else {
                Issue.record("expected signatureMismatch, got \(String(describing: refused))")
                return
            }
            #expect(subject == "support-bot@1")
            #expect(reason.contains("adapter_model.safetensors"), "\(reason)")
            #expect(try fixture.client(as: "approver-a").verify(reference).subject == "support-bot@1")
        }
    }
}

/// A loopback transport that flips the first byte of the answers to paths ending in `pathSuffix`: a server
/// serving other bytes than it signed.
struct TamperingTransport: HTTPTransport {
    let pathSuffix: String
    let transport = CurlTransport(settings: CurlSettings(plainHTTPOnLoopback: true))

    func perform(_ request: HTTPRequest, into sink: HTTPResponseSink) throws -> HTTPResponseHead {
        guard request.url.path.hasSuffix(pathSuffix) else { return try transport.perform(request, into: sink) }
        return try transport.perform(request, into: FlippingSink(sink))
    }

    /// Forwards an answer with its first body byte inverted.
    final class FlippingSink: HTTPResponseSink {
        let sink: HTTPResponseSink
        var flipped = false

        init(_ sink: HTTPResponseSink) { self.sink = sink }

        func receive(head: HTTPResponseHead) throws { try sink.receive(head: head) }

        func receive(body: UnsafeRawBufferPointer) throws {
            guard !flipped, !body.isEmpty else { return try sink.receive(body: body) }
            flipped = true
            var bytes = Array(body)
            bytes[0] ^= 0xff
            try bytes.withUnsafeBytes { try sink.receive(body: $0) }
        }
    }
}
