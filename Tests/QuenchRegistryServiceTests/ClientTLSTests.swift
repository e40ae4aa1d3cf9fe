import Foundation
import QuenchRegistryClient
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// The client verifies the server's certificate: refused against the system CAs alone, accepted with
    /// the test CA in QUENCH_REGISTRY_CA_BUNDLE.
    @Suite struct ClientTLSTests {
        @Test func aPrivateCAIsAddedWithTheCABundleVariableAndNeverSkipped() throws {
            let directory = try TemporaryDirectory("client-tls")
            let certificates = try TestCertificates(in: directory.url)
            let home = directory.url.appendingPathComponent("home")
            let token = try RegistryServerProcess.addUser("approver-a", roles: ["approver"], home: home)
            let server = try RegistryServerProcess(home: home, arguments: [
                "--tls-cert", certificates.certificate.path, "--tls-key", certificates.key.path,
            ])
            defer { server.stop() }
            var environment = ["QUENCH_REGISTRY_TOKEN": token, "XDG_STATE_HOME": directory.url.appendingPathComponent("state").path]
            let untrusted = clientError { _ = try RemoteRegistry.connect(server.url, environment: environment).list(name: nil) }
            guard case .unreachable(let url, _)? = untrusted else {
                Issue.record("expected the certificate to be refused, got \(String(describing: untrusted))")
                return
            }
            #expect(url == server.url)

            environment["QUENCH_REGISTRY_CA_BUNDLE"] = certificates.caBundle.path
            let client = try RemoteRegistry.connect(server.url, environment: environment)
            #expect(try client.list(name: nil).isEmpty)
            #expect(try client.witness.state()?.url == server.url)
        }
    }
}
