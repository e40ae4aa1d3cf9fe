import Foundation
import QuenchSecurity
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// The registry's rules over real HTTP against `quench registry serve`: registration by upload,
    /// separation of duties on authenticated identities, promotions with an expected holder, rollback.
    @Suite struct ServerWorkflowTests {
        @Test func trainerRegistersApproverApprovesAndPromotes() throws {
            let fixture = try ServerFixture()
            let candidate = try fixture.candidate()
            let registered = try fixture.register(candidate)
            #expect(registered.status == 201, "\(registered.text)")
            #expect(registered.object["status"] as? String == "pending_approval")
            #expect(registered.object["created_by"] as? String == "trainer-t")
            #expect(registered.object["version"] as? Int == 1)

            let ownApproval = try fixture.client(as: "trainer-t").send("POST", "/v1/models/support-bot/versions/1/approve", json: "{}")
            #expect(ownApproval.status == 403)
            #expect(ownApproval.errorCode == "forbidden")
            #expect(ownApproval.errorMessage.contains("approver"))

            let approved = try fixture.client(as: "approver-a").send("POST", "/v1/models/support-bot/versions/1/approve", json: #"{"note": "eval reviewed"}"#)
            #expect(approved.status == 200, "\(approved.text)")
            #expect(approved.object["status"] as? String == "approved")
            #expect(approved.object["decided_by"] as? String == "approver-a")

            let replayed = try fixture.client(as: "approver-b").send("POST", "/v1/models/support-bot/versions/1/approve", json: "{}")
            #expect(replayed.status == 409)
            #expect(replayed.errorCode == "conflict")

            let shown = try fixture.client(as: "trainer-t").send("GET", "/v1/models/support-bot/versions/1")
            #expect(shown.status == 200)
            #expect(shown.object["decided_by"] as? String == "approver-a")
            let adapter = try #require(candidate.files["adapter_model.safetensors"])
            let download = try fixture.client(as: "approver-b").send("GET", "/v1/models/support-bot/versions/1/files/adapter_model.safetensors")
            #expect(download.status == 200)
            #expect(download.body == (try Data(contentsOf: adapter)))
            let verified = try fixture.client(as: "approver-b").send("GET", "/v1/models/support-bot/versions/1/verify")
            #expect(verified.status == 200)
            #expect(verified.object["verified"] as? Bool == true)
        }

        @Test func theRegistrarCannotApproveEvenWithTheApproverRole() throws {
            let fixture = try ServerFixture()
            #expect(try fixture.register(try fixture.candidate(), as: "both-c").status == 201)
            let refused = try fixture.client(as: "both-c").send("POST", "/v1/models/support-bot/versions/1/reject", json: "{}")
            #expect(refused.status == 403)
            #expect(refused.errorCode == "separation_of_duties")
            #expect(refused.errorMessage.contains("both-c registered support-bot@1"))
        }

        @Test func theLineagesTrainerCannotApprove() throws {
            let fixture = try ServerFixture()
            #expect(try fixture.register(try fixture.candidate(trainedBy: "approver-a")).status == 201)
            let refused = try fixture.client(as: "approver-a").send("POST", "/v1/models/support-bot/versions/1/approve", json: "{}")
            #expect(refused.status == 403)
            #expect(refused.errorCode == "separation_of_duties")
            #expect(refused.errorMessage.contains("approver-a"))
            let stillPending = try fixture.client(as: "approver-b").send("GET", "/v1/models/support-bot/versions/1")
            #expect(stillPending.object["status"] as? String == "pending_approval")
        }

        @Test func promotionsCheckTheExpectedHolderAndRollBack() throws {
            let fixture = try ServerFixture()
            let approver = fixture.client(as: "approver-a")
            for version in 1...2 {
                #expect(try fixture.register(try fixture.candidate()).status == 201)
                #expect(try approver.send("POST", "/v1/models/support-bot/versions/\(version)/approve", json: "{}").status == 200)
            }
            let first = try approver.send("POST", "/v1/models/support-bot/aliases/production", json: #"{"version": 1, "expected_holder": null}"#)
            #expect(first.status == 200, "\(first.text)")
            #expect(first.object["version"] as? Int == 1)

            let conflicting = try fixture.client(as: "approver-b").send(
                "POST", "/v1/models/support-bot/aliases/production", json: #"{"version": 2, "expected_holder": null}"#)
            #expect(conflicting.status == 409)
            #expect(conflicting.errorCode == "alias_moved")

            let second = try approver.send("POST", "/v1/models/support-bot/aliases/production", json: #"{"version": 2, "expected_holder": 1}"#)
            #expect(second.status == 200, "\(second.text)")
            #expect(second.object["previous_version"] as? Int == 1)

            let rolledBack = try approver.send("POST", "/v1/models/support-bot/aliases/production/rollback", json: "{}")
            #expect(rolledBack.status == 200, "\(rolledBack.text)")
            #expect(rolledBack.object["version"] as? Int == 1)
            #expect(rolledBack.object["action"] as? String == "rollback")

            let history = try fixture.client(as: "trainer-t").send("GET", "/v1/models/support-bot/aliases")
            let moves = try #require((try JSONSerialization.jsonObject(with: history.body)) as? [[String: Any]])
            #expect(moves.map { $0["version"] as? Int } == [1, 2, 1])
            let listed = try fixture.client(as: "trainer-t").send("GET", "/v1/models/support-bot/versions")
            let versions = try #require((try JSONSerialization.jsonObject(with: listed.body)) as? [[String: Any]])
            #expect(versions.map { $0["aliases"] as? [String] } == [["production"], []])
        }

        @Test func auditEndpointsServeTheSignedLogAndProofs() throws {
            let fixture = try ServerFixture()
            let reader = fixture.client(as: "approver-a")
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            #expect(try reader.send("POST", "/v1/models/support-bot/versions/1/approve", json: "{}").status == 200)

            let checkpoint = try reader.send("GET", "/v1/audit/checkpoint")
            #expect(checkpoint.status == 200)
            let size = try #require(checkpoint.object["tree_size"] as? Int)
            #expect(size >= 2)
            let key = try reader.with(token: nil).send("GET", "/v1/public-key")
            #expect(key.status == 200)
            #expect((key.object["pem"] as? String)?.hasPrefix("-----BEGIN PUBLIC KEY-----") == true)
            #expect(key.object["key_id"] as? String == checkpoint.object["key_id"] as? String)

            let proof = try reader.send("GET", "/v1/audit/consistency?first=1&second=\(size)")
            #expect(proof.status == 200, "\(proof.text)")
            #expect(proof.object["second"] as? Int == size)
            let beyond = try reader.send("GET", "/v1/audit/consistency?first=1&second=\(size + 1)")
            #expect(beyond.status == 400)
            #expect(beyond.errorCode == "bad_request")

            let log = try reader.send("GET", "/v1/audit/log?after=\(size - 1)&limit=5")
            let entries = try #require((try JSONSerialization.jsonObject(with: log.body)) as? [[String: Any]])
            #expect(entries.map { $0["seq"] as? Int } == [size])
            #expect(entries.first?["action"] as? String == "approve")
            let verification = try reader.send("GET", "/v1/audit/verify")
            #expect(verification.status == 200)
            #expect(verification.object["ok"] as? Bool == true, "\(verification.text)")
        }
    }
}
