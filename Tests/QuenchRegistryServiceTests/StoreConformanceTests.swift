import Foundation
import QuenchTestSupport
import Testing
@testable import QuenchRegistry

extension RegistryServiceTests {
    /// Both stores keep the registry's rows with the same semantics: what the SQLite store does, the
    /// PostgreSQL store does too, case by case.
    @Suite struct StoreConformanceTests {
        /// A version row as the registry would insert it (`fingerprints` become the lineage's datasets).
        static func version(_ name: String, _ number: Int, fingerprints: [String?] = []) -> ModelVersion {
            let lineage = Lineage(
                baseModel: BaseModelLineage(source: "HuggingFaceTB/SmolLM2-135M-Instruct", commit: "abc123", files: [
                    HashedFile(path: "model.safetensors", sha256: String(repeating: "1", count: 64)),
                ]),
                datasets: fingerprints.enumerated().map { index, fingerprint in
                    DatasetLineage(path: "data/train-\(index).jsonl", sha256: String(repeating: "2", count: 64), records: 10, fingerprint: fingerprint)
                },
                jobSpecSHA256: nil, hyperparameters: .object(["lr": .double(0.0002), "rank": .int(8)]), quenchVersion: "0.1.0",
                architecture: "llama", trainedBy: "trainer-t")
            return ModelVersion(
                name: name, version: number, status: .pendingApproval, createdBy: "trainer-t", createdAt: "2026-12-05T01:00:00.000Z",
                decidedBy: nil, decidedAt: nil, decisionNote: nil, artifactDirectory: "/registry/\(name)/\(number)",
                files: [ArtifactFile(path: "adapter_model.safetensors", sha256: String(repeating: "a", count: 64), size: 4096)],
                signatureSHA256: String(repeating: "b", count: 64), lineage: lineage, metrics: ["eval/perplexity": 12.5],
                gateReport: #"{"passed": true}"#, reviewReason: nil, aliases: [])
        }

        static func move(_ alias: ModelAlias, to version: Int, from previous: Int?, action: String = "promote") -> AliasMove {
            AliasMove(name: "bot", alias: alias, version: version, previousVersion: previous, action: action, actor: "approver-a",
                      at: "2026-12-05T02:00:00.000Z")
        }

        static func event(_ subject: String, by actor: String = "trainer-t") -> AuditEvent {
            AuditEvent(actor: actor, action: .register, subject: subject, body: .object(["subject": .string(subject)]))
        }

        /// An API user whose token hash is 64 times `token`.
        static func user(_ name: String, _ roles: [RegistryRole], token: Character, revokedAt: String? = nil) -> StoredUser {
            StoredUser(user: APIUser(name: name, roles: roles, createdAt: "2026-12-05T01:00:00.000Z", createdBy: "server-admin",
                                     revokedAt: revokedAt),
                       tokenSHA256: String(repeating: token, count: 64))
        }

        struct RoundTrip: Sendable {
            var numbers: [Int] = []
            var one: ModelVersion?
            var missing: ModelVersion?
            var all: [String] = []
            var bots: [ModelVersion] = []
            var byFingerprint: [String] = []
            var holders: [Int?] = []
            var history: [AliasMove] = []
            var updateOfMissing: String?
        }

        @Test(arguments: StoreKind.allCases)
        func versionsAliasesAndTheirHistoryReadBackAsWritten(_ kind: StoreKind) async throws {
            let read = try await StoreUnderTest.with(kind) { subject in
                var read = RoundTrip()
                try subject.store.write { access in
                    read.numbers.append(try access.nextVersionNumber(name: "bot"))
                    try access.insert(Self.version("bot", 1, fingerprints: ["fp-a"]))
                    try access.insert(Self.version("bot", 2, fingerprints: ["fp-a", "fp-a", "fp-b", nil]))
                    try access.insert(Self.version("alpha", 1))
                    read.numbers.append(try access.nextVersionNumber(name: "bot"))
                    read.numbers.append(try access.nextVersionNumber(name: "alpha"))
                    var approved = Self.version("bot", 1)
                    approved.status = .approved
                    approved.decidedBy = "approver-a"
                    approved.decidedAt = "2026-12-05T01:30:00.000Z"
                    approved.decisionNote = "looks good"
                    try access.updateState(of: approved)
                    try access.record(Self.move(.staging, to: 1, from: nil))
                    try access.record(Self.move(.staging, to: 2, from: 1))
                    try access.record(Self.move(.production, to: 1, from: nil))
                }
                do {
                    try subject.store.write { try $0.updateState(of: Self.version("bot", 9)) }
                } catch {
                    read.updateOfMissing = "\(error)"
                }
                try subject.store.read { access in
                    read.one = try access.version(name: "bot", version: 1)
                    read.missing = try access.version(name: "bot", version: 3)
                    read.all = try access.versions(name: nil).map(\.subject)
                    read.bots = try access.versions(name: "bot")
                    read.byFingerprint = try access.versions(withDatasetFingerprint: "fp-a").map(\.subject)
                    read.holders = [try access.aliasHolder(name: "bot", alias: .staging),
                                    try access.aliasHolder(name: "bot", alias: .production),
                                    try access.aliasHolder(name: "alpha", alias: .staging)]
                    read.history = try access.aliasHistory(name: "bot")
                }
                return read
            }
            #expect(read.numbers == [1, 3, 2])
            var expected = Self.version("bot", 1, fingerprints: ["fp-a"])
            expected.status = .approved
            expected.decidedBy = "approver-a"
            expected.decidedAt = "2026-12-05T01:30:00.000Z"
            expected.decisionNote = "looks good"
            expected.aliases = [.production]
            #expect(read.one == expected)
            #expect(read.missing == nil)
            #expect(read.all == ["alpha@1", "bot@1", "bot@2"])
            #expect(read.bots.map(\.subject) == ["bot@1", "bot@2"])
            #expect(read.bots.last?.aliases == [.staging])
            #expect(read.bots.last?.lineage == Self.version("bot", 2, fingerprints: ["fp-a", "fp-a", "fp-b", nil]).lineage)
            #expect(read.byFingerprint == ["bot@1", "bot@2"])
            #expect(read.holders == [2, 1, nil])
            #expect(read.history == [Self.move(.staging, to: 1, from: nil), Self.move(.staging, to: 2, from: 1),
                                     Self.move(.production, to: 1, from: nil)])
            #expect(read.updateOfMissing == RegistryError.versionNotFound("bot@9").description)
        }

        @Test(arguments: StoreKind.allCases)
        func everyAppendReturnsTheTreeHeadOfTheLogSoFar(_ kind: StoreKind) async throws {
            let (heads, entries, leaves) = try await StoreUnderTest.with(kind) { subject in
                let heads = try (1...5).map { number in try subject.store.write { try $0.append(Self.event("bot@\(number)")) } }
                let (entries, leaves) = try subject.store.read { (try $0.auditEntries(), try $0.auditLeafHashes()) }
                return (heads, entries, leaves)
            }
            #expect(entries.map(\.seq) == [1, 2, 3, 4, 5])
            #expect(entries.map(\.subject) == (1...5).map { "bot@\($0)" })
            #expect(entries.allSatisfy { $0.recomputedLeafHash == $0.leafHash && $0.actor == "trainer-t" && $0.action == "register" })
            #expect(leaves == entries.map(\.leafHash))
            let leafBytes = try leaves.map { try #require(Data(hex: $0)) }
            #expect(heads == (1...5).map { size in TreeHead(size: size, root: MerkleTree.root(ofLeafHashes: Array(leafBytes.prefix(size))).hex) })
        }

        @Test(arguments: StoreKind.allCases)
        func usersAreFoundByNameAndTokenHashAndReplacedByName(_ kind: StoreKind) async throws {
            let alice = Self.user("alice", [.approver], token: "a")
            let bob = Self.user("bob", [.admin, .trainer], token: "b")
            let revokedAlice = Self.user("alice", [.approver], token: "c", revokedAt: "2026-12-05T03:00:00.000Z")
            struct Found: Sendable {
                var byName: StoredUser?, byToken: StoredUser?, unknown: StoredUser?, oldToken: StoredUser?
                var before: [StoredUser] = [], after: [StoredUser] = []
                var sharedToken: String?
            }
            let found = try await StoreUnderTest.with(kind) { subject in
                var found = Found()
                try subject.store.write { access in
                    try access.save(bob)
                    try access.save(alice)
                }
                try subject.store.read { access in
                    found.byName = try access.user(named: "alice")
                    found.byToken = try access.user(withTokenSHA256: bob.tokenSHA256)
                    found.unknown = try access.user(named: "carol")
                    found.before = try access.users()
                }
                try subject.store.write { try $0.save(revokedAlice) }
                do {
                    try subject.store.write { try $0.save(Self.user("carol", [.trainer], token: "b")) }
                } catch {
                    found.sharedToken = "\(error)"
                }
                try subject.store.read { access in
                    found.after = try access.users()
                    found.oldToken = try access.user(withTokenSHA256: alice.tokenSHA256)
                }
                return found
            }
            #expect(found.byName == alice && found.byToken == bob && found.unknown == nil)
            #expect(found.before == [alice, bob])
            #expect(found.after == [revokedAlice, bob], "saving a user of the same name replaces the row")
            #expect(found.oldToken == nil, "the replaced token finds no one")
            let refusal = try #require(found.sharedToken, "two users with one token hash must be refused")
            #expect(refusal.contains("token_sha256"), "\(refusal)")
        }

        @Test(arguments: StoreKind.allCases)
        func theAuditLogAndAliasHistoryRefuseUpdatesAndDeletes(_ kind: StoreKind) async throws {
            let (refusals, entries, history) = try await StoreUnderTest.with(kind) { subject in
                try subject.store.write { access in
                    try access.insert(Self.version("bot", 1))
                    try access.record(Self.move(.staging, to: 1, from: nil))
                    _ = try access.append(Self.event("bot@1"))
                }
                var statements = [
                    "UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log",
                    "UPDATE alias_history SET version = 2", "DELETE FROM alias_history",
                ]
                if kind == .postgres { statements += ["TRUNCATE audit_log", "TRUNCATE alias_history"] }
                let refusals = statements.map { ($0, subject.refusal(of: $0)) }
                let (entries, history) = try subject.store.read { (try $0.auditEntries(), try $0.aliasHistory(name: "bot")) }
                return (refusals, entries, history)
            }
            for (statement, refusal) in refusals {
                #expect(refusal?.contains("append-only") == true, "\(statement) was not refused: \(refusal ?? "it succeeded")")
            }
            #expect(entries.count == 1 && entries.first?.actor == "trainer-t")
            #expect(history == [Self.move(.staging, to: 1, from: nil)])
        }

        @Test(arguments: StoreKind.allCases)
        func aThrownErrorRollsTheWholeWriteBack(_ kind: StoreKind) async throws {
            struct After: Sendable {
                var thrown: RegistryError?
                var versions: [ModelVersion] = [], entries: [AuditEntry] = [], history: [AliasMove] = []
                var holder: Int?, users: [StoredUser] = []
                var nextWrite: [String] = []
            }
            let after = try await StoreUnderTest.with(kind) { subject in
                var after = After()
                do {
                    try subject.store.write { access in
                        try access.insert(Self.version("bot", 1, fingerprints: ["fp-a"]))
                        try access.record(Self.move(.staging, to: 1, from: nil))
                        _ = try access.append(Self.event("bot@1"))
                        try access.save(Self.user("alice", [.approver], token: "a"))
                        throw RegistryError.invalidName("rule-broken")
                    }
                } catch let error as RegistryError {
                    after.thrown = error
                }
                try subject.store.read { access in
                    after.versions = try access.versions(name: nil)
                    after.entries = try access.auditEntries()
                    after.history = try access.aliasHistory(name: "bot")
                    after.holder = try access.aliasHolder(name: "bot", alias: .staging)
                    after.users = try access.users()
                }
                // The connection that rolled back serves the next write.
                after.nextWrite = try subject.store.write { access in
                    try access.insert(Self.version("bot", try access.nextVersionNumber(name: "bot")))
                    return try access.versions(name: "bot").map(\.subject)
                }
                return after
            }
            #expect(after.thrown == .invalidName("rule-broken"), "the registry's own error reaches the caller")
            #expect(after.versions.isEmpty && after.entries.isEmpty && after.history.isEmpty && after.holder == nil && after.users.isEmpty)
            #expect(after.nextWrite == ["bot@1"])
        }

        @Test(arguments: StoreKind.allCases)
        func fiftyConcurrentWritersLoseNothingAndNumberWithoutGaps(_ kind: StoreKind) async throws {
            let writers = 50
            let (versions, entries, failures) = try await StoreUnderTest.with(kind) { subject in
                let store = subject.store
                let failures = ThreadFailures()
                let done = DispatchGroup()
                for writer in 0..<writers {
                    done.enter()
                    let thread = Thread {
                        defer { done.leave() }
                        do {
                            try store.write { access in
                                let number = try access.nextVersionNumber(name: "bot")
                                var version = Self.version("bot", number)
                                version.createdBy = "writer-\(writer)"
                                try access.insert(version)
                                _ = try access.append(Self.event(version.subject, by: version.createdBy))
                            }
                        } catch {
                            failures.list.withLock { $0.append("writer \(writer): \(error)") }
                        }
                    }
                    thread.start()
                }
                done.wait()
                let (versions, entries) = try subject.store.read { (try $0.versions(name: "bot"), try $0.auditEntries()) }
                return (versions, entries, failures.list.withLock { $0 })
            }
            #expect(failures.isEmpty, "\(failures)")
            #expect(versions.map(\.version) == Array(1...writers))
            #expect(Set(versions.map(\.createdBy)) == Set((0..<writers).map { "writer-\($0)" }))
            #expect(entries.map(\.seq) == Array(1...writers))
            #expect(entries.map(\.subject) == versions.map(\.subject), "each version's audit entry commits with it, in order")
            #expect(entries.map(\.actor) == versions.map(\.createdBy))
        }
    }
}
