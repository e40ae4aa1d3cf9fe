import Foundation
import QuenchSecurity

/// What a registry server hands clients so they can witness its audit log: the latest signed
/// checkpoint, consistency proofs between tree sizes, and the public key that signs both.
extension Registry {
    /// The last signed checkpoint, or nil for a log with no entries yet.
    public func latestCheckpoint() throws -> AuditCheckpoint? {
        try checkpoints.readAll().max { $0.treeSize < $1.treeSize }
    }

    /// The RFC 6962 proof that the tree of `first` entries is a prefix of the tree of `second` entries, as hex hashes.
    /// - Throws: `proofRangeInvalid` unless 0 <= first <= second <= the number of entries.
    public func consistencyProof(from first: Int, to second: Int) throws -> [String] {
        let hashes = try store.read { try $0.auditLeafHashes() }
        guard first >= 0, first <= second, second <= hashes.count else {
            throw RegistryError.proofRangeInvalid(first: first, second: second, size: hashes.count)
        }
        var leaves: [Data] = []
        leaves.reserveCapacity(second)
        for (index, hex) in hashes.prefix(second).enumerated() {
            guard let leaf = Data(hex: hex) else {
                throw RegistryError.storeFailure(operation: "build a consistency proof", reason: "leaf \(index + 1) is not hex; run `quench audit verify`")
            }
            leaves.append(leaf)
        }
        guard let proof = ConsistencyProof.make(from: first, leafHashes: leaves) else {
            throw RegistryError.proofRangeInvalid(first: first, second: second, size: hashes.count)
        }
        return proof.map(\.hex)
    }

    /// The public key that signs artifacts and checkpoints, as PEM.
    public func publicKeyPEM() throws -> String {
        SigningKeys.publicKeyPEM(try signingKey.publicKey())
    }

    /// The identifier checkpoints carry for the key: hex SHA-256 of its raw public bytes.
    public func keyID() throws -> String {
        SigningKey.keyID(try signingKey.publicKey())
    }
}
