import Foundation
import QuenchSecurity
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// What the server refuses: bad credentials (401, all alike), missing roles (403 naming them), bad
    /// bodies (400, 413), damaged uploads (nothing kept), plain HTTP off loopback; and what its log never says.
    @Suite struct ServerSecurityTests {
        @Test func absentUnknownAndRevokedTokensGetTheSameAnswer() throws {
            let fixture = try ServerFixture()
            let absent = try fixture.client(as: nil).send("GET", "/v1/versions")
            let unknown = try fixture.client(as: nil).with(token: "qrt_" + String(repeating: "A", count: 43)).send("GET", "/v1/versions")
            let malformed = try fixture.client(as: nil).with(token: "not a token").send("GET", "/v1/versions")
            #expect(try fixture.client(as: "approver-b").send("GET", "/v1/versions").status == 200)
            _ = try ProcessRunner.run(RegistryServerProcess.binary, ["registry", "users", "revoke", "approver-b", "--home", fixture.home.path])
                .checked("quench registry users revoke")
            let revoked = try fixture.client(as: "approver-b").send("GET", "/v1/versions")
            for answer in [absent, unknown, malformed, revoked] {
                #expect(answer.status == 401)
                #expect(answer.errorCode == "unauthorized")
                #expect(answer.body == absent.body)
            }
        }

        @Test func aMissingRoleIsNamed() throws {
            let fixture = try ServerFixture()
            let upload = try fixture.client(as: "approver-a").send("POST", "/v1/uploads")
            #expect(upload.status == 403)
            #expect(upload.errorCode == "forbidden")
            #expect(upload.errorMessage.contains("trainer or admin"))
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            let archive = try fixture.client(as: "approver-a").send("POST", "/v1/models/support-bot/versions/1/archive", json: "{}")
            #expect(archive.status == 403)
            #expect(archive.errorMessage.contains("admin"))
            let promote = try fixture.client(as: "trainer-t").send("POST", "/v1/models/support-bot/aliases/staging", json: #"{"version": 1}"#)
            #expect(promote.status == 403)
            #expect(promote.errorMessage.contains("approver or admin"))
        }

        @Test func badBodiesAreRefusedWithTheReason() throws {
            let fixture = try ServerFixture(serverArguments: ["--max-body-mib", "1"])
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            let approver = fixture.client(as: "approver-a")
            let malformed = try approver.send("POST", "/v1/models/support-bot/versions/1/approve", json: #"{"note": "#)
            #expect(malformed.status == 400)
            #expect(malformed.errorCode == "bad_request")
            let unknownKey = try approver.send("POST", "/v1/models/support-bot/versions/1/approve", json: #"{"note": "ok", "decided_by": "someone-else"}"#)
            #expect(unknownKey.status == 400)
            #expect(unknownKey.errorMessage.contains("'decided_by'"))
            let oversized = try approver.send("POST", "/v1/models/support-bot/versions/1/approve",
                                              json: #"{"note": ""# + String(repeating: "x", count: 1_100_000) + #""}"#)
            #expect(oversized.status == 413)
            #expect(oversized.errorCode == "payload_too_large")
            let badName = try approver.send("GET", "/v1/models/Bad%20Name!/versions")
            #expect(badName.status == 400)
            let unknownVersion = try approver.send("POST", "/v1/models/support-bot/versions/9/approve", json: "{}")
            #expect(unknownVersion.status == 404)
            #expect(unknownVersion.errorCode == "not_found")
            let stillPending = try approver.send("GET", "/v1/models/support-bot/versions/1")
            #expect(stillPending.object["status"] as? String == "pending_approval")
        }

        @Test func anUploadWithTheWrongHashLeavesNothing() throws {
            let fixture = try ServerFixture()
            let trainer = fixture.client(as: "trainer-t")
            let id = try #require(try trainer.send("POST", "/v1/uploads").object["id"] as? String)
            let file = try fixture.directory.file("weights.safetensors", bytes: Data(repeating: 7, count: 100_000))
            let wrong = try trainer.send("PUT", "/v1/uploads/\(id)/files/weights.safetensors", file: file,
                                         headers: ["X-Quench-SHA256": String(repeating: "0", count: 64)])
            #expect(wrong.status == 400)
            #expect(wrong.errorCode == "hash_mismatch")
            #expect(wrong.errorMessage.contains(try FileDigest.sha256(of: file)))
            let folder = fixture.home.appendingPathComponent("uploads/\(id)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["files", "owner.json"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("files").path).isEmpty)
            let escaping = try trainer.send("PUT", "/v1/uploads/\(id)/files/a/%2E%2E/x", file: file,
                                            headers: ["X-Quench-SHA256": try FileDigest.sha256(of: file)])
            #expect(escaping.status == 400)
            let encoded = try trainer.send("PUT", "/v1/uploads/\(id)/files/sub%20dir/weights.safetensors", file: file,
                                           headers: ["X-Quench-SHA256": try FileDigest.sha256(of: file)])
            #expect(encoded.status == 201)
            #expect(encoded.object["path"] as? String == "sub dir/weights.safetensors")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("files/sub dir/weights.safetensors").path))
            let signature = try trainer.send("PUT", "/v1/uploads/\(id)/files/model.sig", file: file,
                                             headers: ["X-Quench-SHA256": try FileDigest.sha256(of: file)])
            #expect(signature.status == 400)
            let othersUpload = try fixture.client(as: "both-c").send("PUT", "/v1/uploads/\(id)/files/weights.safetensors", file: file,
                                                                      headers: ["X-Quench-SHA256": try FileDigest.sha256(of: file)])
            #expect(othersUpload.status == 404)
        }

        @Test func anUploadOverTheCapIsRefusedBeforeItIsRead() throws {
            let fixture = try ServerFixture(serverArguments: ["--max-upload-gib", "1"])
            let trainer = fixture.client(as: "trainer-t")
            let id = try #require(try trainer.send("POST", "/v1/uploads").object["id"] as? String)
            let file = try fixture.directory.file("weights.safetensors", bytes: Data(repeating: 7, count: 1000))
            let oversized = try trainer.send("PUT", "/v1/uploads/\(id)/files/weights.safetensors", file: file, headers: [
                "X-Quench-SHA256": try FileDigest.sha256(of: file), "Content-Length": String((1 << 30) + 1),
            ])
            #expect(oversized.status == 413)
            #expect(oversized.errorCode == "payload_too_large")
            #expect(oversized.errorMessage.contains("1073741824 bytes"))
            let files = fixture.home.appendingPathComponent("uploads/\(id)/files")
            #expect(try FileManager.default.contentsOfDirectory(atPath: files.path).isEmpty)
        }

        @Test func damagedArtifactsAreReportedNotServed() throws {
            let fixture = try ServerFixture()
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            let reader = fixture.client(as: "approver-a")
            let version = try reader.send("GET", "/v1/models/support-bot/versions/1")
            let directory = URL(fileURLWithPath: try #require(version.object["artifact_directory"] as? String))
            try FileManager.default.removeItem(at: directory.appendingPathComponent("adapter_config.json"))
            let download = try reader.send("GET", "/v1/models/support-bot/versions/1/files/adapter_config.json")
            #expect(download.status == 409)
            #expect(download.errorCode == "artifact_tampered")
            let verification = try reader.send("GET", "/v1/models/support-bot/versions/1/verify")
            #expect(verification.status == 409)
            #expect(verification.errorCode == "artifact_tampered")
            #expect(verification.errorMessage.contains("adapter_config.json"))
            let unknownFile = try reader.send("GET", "/v1/models/support-bot/versions/1/files/other.bin")
            #expect(unknownFile.status == 404)
        }

        @Test func theAccessLogNamesWhoAndNeverTheToken() throws {
            let fixture = try ServerFixture()
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            #expect(try fixture.client(as: nil).send("GET", "/v1/versions").status == 401)
            _ = try fixture.client(as: "approver-a").send("GET", "/v1/audit/log?after=0")
            let lines = try fixture.server.accessLog.map { line in
                try #require((try JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])
            }
            #expect(lines.contains { $0["identity"] as? String == "trainer-t" && $0["path"] as? String == "/v1/uploads" && $0["status"] as? Int == 201 })
            #expect(lines.contains { $0["identity"] as? String == "-" && $0["status"] as? Int == 401 })
            #expect(lines.contains { $0["identity"] as? String == "approver-a" && $0["path"] as? String == "/v1/audit/log" })
            #expect(lines.allSatisfy { Set($0.keys) == ["at", "identity", "method", "path", "status", "ms", "bytes_in", "bytes_out"] })
            let output = fixture.server.output
            for token in fixture.tokens.values { #expect(!output.contains(token)) }
            #expect(!output.contains("after=0"))
            #expect(fixture.server.stop() == 0)
        }

        @Test func plainHTTPIsServedOnlyOnLoopback() throws {
            let directory = try TemporaryDirectory("server")
            let result = try ProcessRunner.run(RegistryServerProcess.binary, [
                "registry", "serve", "--home", directory.url.path, "--listen", "0.0.0.0:0",
            ])
            #expect(result.status != 0)
            #expect(result.standardError.contains("refusing plain HTTP on 0.0.0.0:0"))
        }

        @Test func usersListShowsNoSecrets() throws {
            let fixture = try ServerFixture()
            let listed = try ProcessRunner.run(RegistryServerProcess.binary, ["registry", "users", "list", "--json", "--home", fixture.home.path])
                .checked("quench registry users list")
            let users = try #require((try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8))) as? [[String: Any]])
            #expect(users.compactMap { $0["name"] as? String }.sorted() == ServerFixture.users.keys.sorted())
            for token in fixture.tokens.values { #expect(!listed.output.contains(token)) }
            #expect(!listed.output.contains("sha256"))
        }
    }
}
