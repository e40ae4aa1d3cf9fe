import Foundation

/// RFC 6962 consistency proofs: evidence that the audit tree of size m is a prefix of the tree of size n,
/// so a client that remembers an old signed root can tell a log that only grew from one that was truncated
/// or rewritten, without downloading the log.
///
/// Proofs are built as RFC 6962 section 2.1.2 defines PROOF(m, D[n]) and checked with the algorithm of
/// RFC 9162 section 2.1.4.2.
public enum ConsistencyProof {
    /// PROOF(m, D[n]) over the leaf hashes of a tree of n = `leafHashes.count` leaves; nil unless 0 <= m <= n.
    /// The proof is empty when m is 0 or n.
    /// - Complexity: O(n) hashes.
    public static func make(from m: Int, leafHashes: [Data]) -> [Data]? {
        guard m >= 0, m <= leafHashes.count else { return nil }
        guard m > 0 else { return [] }
        var proof: [Data] = []
        appendSubproof(m, of: leafHashes[...], completeSubtree: true, to: &proof)
        return proof
    }

    /// True when `proof` shows that the tree of size `m` with root `firstRoot` is a prefix of the tree of
    /// size `n` with root `secondRoot`. The empty tree is a prefix of every tree; equal sizes need equal
    /// roots and an empty proof; a smaller second tree is never consistent.
    /// - Complexity: O(`proof.count`) hashes.
    public static func verify(first m: Int, firstRoot: Data, second n: Int, secondRoot: Data, proof: [Data]) -> Bool {
        guard m >= 0, m <= n else { return false }
        if m == n { return proof.isEmpty && firstRoot == secondRoot }
        if m == 0 { return proof.isEmpty && firstRoot == MerkleTree().root }
        guard let head = proof.first else { return false }
        // A first tree whose size is a power of two is a whole subtree of the second: the proof omits its root.
        let path = m & (m - 1) == 0 ? [firstRoot] + proof : proof
        var firstNode = m - 1
        var secondNode = n - 1
        while firstNode & 1 == 1 {
            firstNode >>= 1
            secondNode >>= 1
        }
        var firstHash = m & (m - 1) == 0 ? firstRoot : head
        var secondHash = firstHash
        for sibling in path.dropFirst() {
            guard secondNode > 0 else { return false }
            if firstNode & 1 == 1 || firstNode == secondNode {
                firstHash = MerkleTree.nodeHash(sibling, firstHash)
                secondHash = MerkleTree.nodeHash(sibling, secondHash)
                while firstNode & 1 == 0, firstNode != 0 {
                    firstNode >>= 1
                    secondNode >>= 1
                }
            } else {
                secondHash = MerkleTree.nodeHash(secondHash, sibling)
            }
            firstNode >>= 1
            secondNode >>= 1
        }
        return firstHash == firstRoot && secondHash == secondRoot && secondNode == 0
    }

    /// True when the hex `proof` shows that `older`'s tree is a prefix of `newer`'s (the checkpoints' sizes
    /// and roots as signed); false for a proof or root that is not hex.
    public static func verify(from older: AuditCheckpoint, to newer: AuditCheckpoint, proof: [String]) -> Bool {
        guard let firstRoot = Data(hex: older.root), let secondRoot = Data(hex: newer.root) else { return false }
        var hashes: [Data] = []
        for element in proof {
            guard let hash = Data(hex: element) else { return false }
            hashes.append(hash)
        }
        return verify(first: older.treeSize, firstRoot: firstRoot, second: newer.treeSize, secondRoot: secondRoot, proof: hashes)
    }

    /// SUBPROOF(m, D[n], b) of RFC 6962 section 2.1.2, appended to `proof` in order; requires 0 < m <= n.
    private static func appendSubproof(_ m: Int, of leaves: ArraySlice<Data>, completeSubtree: Bool, to proof: inout [Data]) {
        if m == leaves.count {
            if !completeSubtree { proof.append(MerkleTree.root(ofLeafHashes: Array(leaves))) }
            return
        }
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        let middle = leaves.startIndex + split
        if m <= split {
            appendSubproof(m, of: leaves[..<middle], completeSubtree: completeSubtree, to: &proof)
            proof.append(MerkleTree.root(ofLeafHashes: Array(leaves[middle...])))
        } else {
            appendSubproof(m - split, of: leaves[middle...], completeSubtree: false, to: &proof)
            proof.append(MerkleTree.root(ofLeafHashes: Array(leaves[..<middle])))
        }
    }
}
