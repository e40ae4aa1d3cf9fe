import Foundation
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// The server as a service: its open endpoints, its answer to unknown routes, its start-up cleaning.
    @Suite struct ServerServiceTests {
        @Test func openEndpointsNeedNoToken() throws {
            let fixture = try ServerFixture()
            let anonymous = fixture.client(as: nil)
            let health = try anonymous.send("GET", "/v1/health")
            #expect(health.status == 200)
            #expect(health.object["status"] as? String == "ok")
            let document = try anonymous.send("GET", "/v1/openapi.yaml")
            #expect(document.status == 200)
            #expect(document.text.hasPrefix("openapi: 3.1.0"))
            #expect(document.text.contains("/v1/audit/consistency:"))
            let unknown = try fixture.client(as: "approver-a").send("GET", "/v1/nothing-here")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "not_found")
            let wrongMethod = try fixture.client(as: "approver-a").send("DELETE", "/v1/models/support-bot/versions")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.errorCode == "method_not_allowed")
            #expect(wrongMethod.errorMessage.contains("GET or POST"))
        }

        @Test func staleUploadsAreRemovedAtStart() throws {
            let directory = try TemporaryDirectory("server")
            let uploads = directory.url.appendingPathComponent("home/uploads")
            let stale = uploads.appendingPathComponent(UUID().uuidString.lowercased())
            let fresh = uploads.appendingPathComponent(UUID().uuidString.lowercased())
            for folder in [stale, fresh] {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent("files"), withIntermediateDirectories: true)
            }
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 86_400)], ofItemAtPath: stale.path)
            let server = try RegistryServerProcess(home: directory.url.appendingPathComponent("home"))
            #expect(!FileManager.default.fileExists(atPath: stale.path))
            #expect(FileManager.default.fileExists(atPath: fresh.path))
            #expect(server.stop() == 0)
        }
    }
}
