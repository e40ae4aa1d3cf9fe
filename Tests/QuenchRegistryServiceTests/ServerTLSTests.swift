import Foundation
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// `quench registry serve` with a certificate: HTTPS, verified by curl against the test CA; the web UI's cookies Secure.
    @Suite struct ServerTLSTests {
        @Test func servesHTTPSWithTheGivenCertificate() throws {
            let directory = try TemporaryDirectory("server")
            let certificates = try TestCertificates(in: directory.url)
            let home = directory.url.appendingPathComponent("home")
            let token = try RegistryServerProcess.addUser("approver-a", roles: ["approver"], home: home)
            let server = try RegistryServerProcess(home: home, arguments: [
                "--tls-cert", certificates.certificate.path, "--tls-key", certificates.key.path,
            ])
            #expect(server.url.hasPrefix("https://127.0.0.1:"))
            var client = ServerClient(base: server.url, token: token, scratch: directory.url)
            client.caBundle = certificates.caBundle
            let me = try client.send("GET", "/v1/me")
            #expect(me.status == 200, "\(me.text)")
            #expect(me.object["name"] as? String == "approver-a")
            #expect(me.object["method"] as? String == "api_token")

            // The web UI's cookies are Secure over TLS.
            var ui = UIClient(base: server.url, scratch: directory.url)
            ui.caBundle = certificates.caBundle
            #expect(try ui.get("/ui/sign-in").cookie("quench_signin")?.has("Secure") == true)
            let signedIn = try ui.signIn(token: token)
            #expect(signedIn.status == 303)
            let session = try #require(signedIn.cookie("quench_session"))
            #expect(session.has("Secure") && session.has("HttpOnly"))
            #expect(session.attribute("SameSite") == "Strict")
        }
    }
}
