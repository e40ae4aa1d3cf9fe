import Crypto
import Foundation
import QuenchRegistryClient
import QuenchTestSupport
import Testing
@testable import QuenchRegistry

/// A client's witness accepts a registry log only as it grows, over real signed checkpoints of real audit
/// entries, and refuses truncation, rewriting and key changes without touching what it remembered.
@Suite struct AuditWitnessTests {
    /// A registry's audit log as the server would serve it: entries, signed checkpoints, consistency proofs.
    struct ServedLog {
        var entries: [AuditEntry]
        let key: SigningKey

        init(size: Int, key: SigningKey = SigningKey(P256.Signing.PrivateKey()), tag: String = "original") {
            self.key = key
            entries = (1...size).map { Self.entry($0, tag: tag) }
        }

        static func entry(_ seq: Int, tag: String) -> AuditEntry {
            let body = #"{"note":"\#(tag) \#(seq)"}"#
            let at = "2026-12-05T01:00:00Z"
            let leaf = MerkleTree.leafHash(AuditEntry.leafData(seq: seq, at: at, actor: "ana", action: "register", subject: "m@\(seq)", body: body))
            return AuditEntry(seq: seq, at: at, actor: "ana", action: "register", subject: "m@\(seq)", body: body, leafHash: leaf.hex)
        }

        var leafHashes: [Data] { entries.compactMap { Data(hex: $0.leafHash) } }
        var publicKeyPEM: String { (try? key.publicKey().pemRepresentation) ?? "" }

        func checkpoint(size: Int) throws -> AuditCheckpoint {
            try AuditCheckpoint.sign(TreeHead(size: size, root: MerkleTree.root(ofLeafHashes: Array(leafHashes[..<size])).hex), with: key)
        }

        func proof(_ first: Int, _ second: Int) throws -> [String] {
            try #require(ConsistencyProof.make(from: first, leafHashes: Array(leafHashes[..<second]))).map(\.hex)
        }

        /// Observes this log's checkpoint of `size` (the whole log by default) through `witness`.
        @discardableResult
        func observe(by witness: AuditWitness, size: Int? = nil) throws -> WitnessState {
            try witness.observe(checkpoint: try checkpoint(size: size ?? entries.count), publicKeyPEM: publicKeyPEM, proof: proof)
        }
    }

    let folder: TemporaryDirectory
    let witness: AuditWitness

    init() throws {
        folder = try TemporaryDirectory("witness")
        witness = try AuditWitness.forRegistry(
            URL(string: "https://Registry.Example:443/")!, environment: ["XDG_STATE_HOME": folder.url.path])
    }

    @Test func aGrowingLogIsAcceptedAndRemembered() throws {
        let log = ServedLog(size: 12)
        let first = try log.observe(by: witness, size: 5)
        #expect(first.checkpoints.map(\.treeSize) == [5])
        #expect(first.url == "https://registry.example")
        #expect(first.keyID == SigningKey.keyID(try log.key.publicKey()))
        let second = try log.observe(by: witness)
        #expect(second.checkpoints.map(\.treeSize) == [5, 12])
        #expect(try witness.state() == second)
        var asked: [(Int, Int)] = []
        let same = try witness.observe(checkpoint: try log.checkpoint(size: 12), publicKeyPEM: log.publicKeyPEM) {
            asked.append(($0, $1))
            return []
        }
        #expect(same == second)
        #expect(asked.isEmpty, "no proof is needed for the tree already seen")
        #expect(witness.stateFile.path.hasPrefix(folder.url.appendingPathComponent("quench/registries").path))
        let attributes = try FileManager.default.attributesOfItem(atPath: witness.stateFile.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folderAttributes = try FileManager.default.attributesOfItem(atPath: witness.stateFile.deletingLastPathComponent().path)
        #expect((folderAttributes[.posixPermissions] as? Int) == 0o700)
        #expect(try witness.verifyLog(entries: log.entries).ok)
    }

    @Test func aTruncatedLogIsRefusedAndTheStateKept() throws {
        var log = ServedLog(size: 12)
        try log.observe(by: witness)
        let before = try Data(contentsOf: witness.stateFile)
        log.entries.removeLast(4)
        let error = clientError { try log.observe(by: witness) }
        guard case .logNotExtended(_, 12, _, let detail, _) = error else {
            Issue.record("expected logNotExtended at size 12, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("only 8 entries"))
        #expect(error?.description.contains("https://registry.example") == true)
        #expect(error?.description.contains("truncated or rewritten") == true)
        let empty = clientError { _ = try witness.observe(checkpoint: nil, publicKeyPEM: log.publicKeyPEM) { _, _ in [] } }
        #expect(empty?.description.contains("empty log") == true)
        #expect(try Data(contentsOf: witness.stateFile) == before)
    }

    @Test func aRewrittenLogIsRefusedEvenWhenItGrew() throws {
        let log = ServedLog(size: 10)
        try log.observe(by: witness)
        let before = try Data(contentsOf: witness.stateFile)
        var rewritten = ServedLog(size: 15, key: log.key)
        rewritten.entries[3] = ServedLog.entry(4, tag: "forged")
        let error = clientError { try rewritten.observe(by: witness) }
        guard case .logNotExtended(_, 10, _, let detail, _) = error else {
            Issue.record("expected logNotExtended at size 10, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("consistency proof from tree size 10 to 15"))
        var sameSize = ServedLog(size: 10, key: log.key)
        sameSize.entries[9] = ServedLog.entry(10, tag: "forged")
        #expect(clientError { try sameSize.observe(by: witness) } != nil)
        #expect(try Data(contentsOf: witness.stateFile) == before)
        #expect(try witness.verifyLog(entries: rewritten.entries).ok == false)
    }

    @Test func aChangedKeyIsRefused() throws {
        let log = ServedLog(size: 6)
        try log.observe(by: witness)
        let before = try Data(contentsOf: witness.stateFile)
        let impostor = ServedLog(size: 8, key: SigningKey(P256.Signing.PrivateKey()))
        let error = clientError { try impostor.observe(by: witness) }
        guard case .keyChanged(_, let pinned, let offered, _) = error else {
            Issue.record("expected keyChanged, got \(String(describing: error))")
            return
        }
        #expect(pinned == SigningKey.keyID(try log.key.publicKey()))
        #expect(offered == SigningKey.keyID(try impostor.key.publicKey()))
        // The right key, but a checkpoint signed by another: forged.
        var forged = try impostor.checkpoint(size: 8)
        forged.keyID = pinned
        let unsigned = clientError { _ = try witness.observe(checkpoint: forged, publicKeyPEM: log.publicKeyPEM, proof: impostor.proof) }
        #expect(unsigned == .checkpointNotSigned(url: "https://registry.example", treeSize: 8, keyID: pinned))
        #expect(try Data(contentsOf: witness.stateFile) == before)
    }

    @Test func aConfiguredKeyIsPinnedBeforeFirstUse() throws {
        let trusted = SigningKey(P256.Signing.PrivateKey())
        let pem = try folder.file("registry.pub", bytes: Data(try trusted.publicKey().pemRepresentation.utf8))
        let environment = ["XDG_STATE_HOME": folder.url.path, "QUENCH_REGISTRY_PUBLIC_KEY": pem.path]
        let pinnedWitness = try AuditWitness.forRegistry(URL(string: "https://other.example")!, environment: environment)
        let impostor = ServedLog(size: 3)
        #expect(clientError { try impostor.observe(by: pinnedWitness) } != nil)
        #expect(!FileManager.default.fileExists(atPath: pinnedWitness.stateFile.path))
        let state = try ServedLog(size: 3, key: trusted).observe(by: pinnedWitness)
        #expect(state.keyID == SigningKey.keyID(try trusted.publicKey()))
    }

    @Test func aDamagedOrOpenStateFileIsRefusedNamingIt() throws {
        let log = ServedLog(size: 4)
        try log.observe(by: witness)
        let path = witness.stateFile.path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let open = clientError { _ = try witness.state() }
        #expect(open == .stateUnreadable(path: path, reason: "it has mode 644, so other users may read it; run `chmod 600 \(path)`"))
        try Data(#"{"url": "https://registry.example", "key_id": 7}"#.utf8).write(to: witness.stateFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        let damaged = clientError { try log.observe(by: witness) }
        guard case .stateInvalid(path, let reason) = damaged else {
            Issue.record("expected stateInvalid naming \(path), got \(String(describing: damaged))")
            return
        }
        #expect(reason.contains("key_id"))
        #expect(damaged?.description.contains(path) == true)
    }

    @Test func equivalentURLsShareOneState() {
        let environment = ["XDG_STATE_HOME": "/state"]
        let spellings = ["https://REGISTRY.example:443/", "https://registry.example", "https://user@registry.example/?q=1#f"]
        let files = Set(spellings.map { WitnessState.location(for: RegistryURL.normalized(URL(string: $0)!), environment: environment) })
        #expect(files.count == 1)
        #expect(files.first?.path.hasPrefix("/state/quench/registries/") == true)
        #expect(RegistryURL.normalized(URL(string: "http://127.0.0.1:8080/v/")!) == "http://127.0.0.1:8080/v")
        #expect(WitnessState.location(for: "x", environment: ["XDG_STATE_HOME": "relative", "HOME": "/home/ana"]).path
            .hasPrefix("/home/ana/.local/state/quench/registries/"))
    }
}
