import Crypto
import Foundation

/// What `audit verify` found: either a clean log or the first entry that is not as signed.
public struct AuditVerification: Encodable, Sendable, Equatable {
    public var entries: Int
    public var checkpoints: Int
    /// Hex root recomputed over the entries as stored.
    public var root: String
    /// 1-based position of the first entry that was edited, deleted, moved or truncated away.
    public var firstBadEntry: Int?
    public var problem: String?
    /// Where the state tables differ from what replaying the log gives, and entries the registry's
    /// rules would not have written (a self-approval, a promotion of an unapproved version).
    public var stateProblems: [String] = []

    public var ok: Bool { problem == nil && stateProblems.isEmpty }

    enum CodingKeys: String, CodingKey {
        case entries, checkpoints, root, firstBadEntry = "first_bad_entry", problem, stateProblems = "state_problems", ok
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
        try container.encode(checkpoints, forKey: .checkpoints)
        try container.encode(root, forKey: .root)
        try container.encodeIfPresent(firstBadEntry, forKey: .firstBadEntry)
        try container.encodeIfPresent(problem, forKey: .problem)
        try container.encode(stateProblems, forKey: .stateProblems)
        try container.encode(ok, forKey: .ok)
    }
}

/// Recomputes the Merkle tree over the stored entries and holds it against every signed checkpoint.
public enum AuditVerifier {
    /// Checks `entries` (in stored order) against `checkpoints` signed by `key`.
    ///
    /// - Complexity: O(n log n) for n entries, whatever the number of checkpoints.
    public static func verify(entries: [AuditEntry], checkpoints: [AuditCheckpoint], key: P256.Signing.PublicKey) -> AuditVerification {
        var result = AuditVerification(entries: entries.count, checkpoints: checkpoints.count, root: "", firstBadEntry: nil, problem: nil)
        var expected: [Int: [String]] = [:]
        for checkpoint in checkpoints {
            guard checkpoint.isSigned(by: key) else {
                result.root = MerkleTree().root.hex
                result.firstBadEntry = checkpoint.treeSize
                result.problem = "the checkpoint for tree size \(checkpoint.treeSize) is not signed by the registry key \(SigningKey.keyID(key))"
                return result
            }
            expected[checkpoint.treeSize, default: []].append(checkpoint.root)
        }
        var tree = MerkleTree()
        for (index, entry) in entries.enumerated() {
            let position = index + 1
            if let problem = positionProblem(entry: entry, position: position) {
                return failed(result, tree: tree, at: position, problem)
            }
            let leaf = entry.recomputedLeafHash
            guard leaf == entry.leafHash.lowercased() else {
                return failed(result, tree: tree, at: position, "entry \(position) does not hash to its recorded leaf: it was edited or moved")
            }
            guard let leafBytes = Data(hex: leaf) else {
                return failed(result, tree: tree, at: position, "entry \(position) has an unreadable leaf hash")
            }
            tree.append(leafHash: leafBytes)
            if let roots = expected[position], roots.contains(where: { $0 != tree.root.hex }) {
                return failed(result, tree: tree, at: position, "the log up to entry \(position) differs from the signed checkpoint of that size: entry \(position) was edited, replaced or reordered")
            }
        }
        result.root = tree.root.hex
        let signedSize = checkpoints.map(\.treeSize).max() ?? 0
        if signedSize > entries.count {
            result.firstBadEntry = entries.count + 1
            result.problem = "the log ends at entry \(entries.count) but a checkpoint signed \(signedSize) entries: entries \(entries.count + 1)...\(signedSize) were deleted (truncated)"
        } else if signedSize < entries.count {
            result.firstBadEntry = signedSize + 1
            result.problem = "entries \(signedSize + 1)...\(entries.count) are not covered by any signed checkpoint: they were added outside the registry or a checkpoint write failed"
        }
        return result
    }

    private static func positionProblem(entry: AuditEntry, position: Int) -> String? {
        if entry.seq > position { return "entry \(position) is missing (deleted): the next stored entry is \(entry.seq)" }
        if entry.seq < position { return "entry \(position) is stored out of order: it claims position \(entry.seq)" }
        return nil
    }

    private static func failed(_ partial: AuditVerification, tree: MerkleTree, at position: Int, _ problem: String) -> AuditVerification {
        var result = partial
        result.root = tree.root.hex
        result.firstBadEntry = position
        result.problem = problem
        return result
    }
}
