import Foundation
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// Many clients at once against one server, on both stores: nothing lost, numbers unique, the log
    /// intact, and of two conflicting promotions exactly one wins.
    @Suite struct ServerConcurrencyTests {
        @Test func concurrentClientsOnSQLite() throws {
            try Self.raceClients(on: try ServerFixture())
        }

        @Test(.requiresPostgreSQL) func concurrentClientsOnPostgreSQL() throws {
            let database = try PostgresServer()
            defer { database.stop() }
            let fixture = try ServerFixture(database: database)
            #expect(fixture.server.output.contains("store postgres"))
            try Self.raceClients(on: fixture)
        }

        /// 50 registrations sent at once, then 50 approvals at once, then two promotions expecting an unset alias.
        static func raceClients(on fixture: ServerFixture, count: Int = 50) throws {
            let trainer = fixture.client(as: "trainer-t")
            var bodies: [String] = []
            for _ in 0..<count {
                let candidate = try fixture.candidate()
                bodies.append(try candidate.registration(upload: try fixture.upload(candidate)))
            }
            let registrations = try bodies.map { try trainer.start("POST", "/v1/models/support-bot/versions", json: $0) }
                .map { try $0.answer() }
            #expect(registrations.allSatisfy { $0.status == 201 }, "\(registrations.filter { $0.status != 201 }.map(\.text))")
            #expect(Set(registrations.compactMap { $0.object["version"] as? Int }) == Set(1...count))

            let approvers = [fixture.client(as: "approver-a"), fixture.client(as: "approver-b")]
            let approvals = try (1...count).map { try approvers[$0 % 2].start("POST", "/v1/models/support-bot/versions/\($0)/approve", json: "{}") }
                .map { try $0.answer() }
            #expect(approvals.allSatisfy { $0.status == 200 }, "\(approvals.filter { $0.status != 200 }.map(\.text))")

            let promotions = try [1, 2].map { version in
                try approvers[version % 2].start("POST", "/v1/models/support-bot/aliases/production",
                                                 json: #"{"version": \#(version), "expected_holder": null}"#)
            }.map { try $0.answer() }
            #expect(promotions.map(\.status).sorted() == [200, 409])
            #expect(promotions.contains { $0.errorCode == "alias_moved" })

            let listed = try trainer.send("GET", "/v1/models/support-bot/versions")
            let versions = try #require((try JSONSerialization.jsonObject(with: listed.body)) as? [[String: Any]])
            #expect(versions.count == count)
            #expect(versions.allSatisfy { $0["status"] as? String == "approved" })
            #expect(versions.filter { ($0["aliases"] as? [String]) == ["production"] }.count == 1)
            let verification = try trainer.send("GET", "/v1/audit/verify")
            #expect(verification.object["ok"] as? Bool == true, "\(verification.text)")
            #expect(verification.object["entries"] as? Int == ServerFixture.users.count + 2 * count + 1)
        }
    }
}
