import Crypto
import Foundation
import Testing
@testable import QuenchRegistry

/// Consistency proofs agree with RFC 6962's recursive definition and the Certificate Transparency test
/// vectors, and every truncated, rewritten or tampered history is refused.
@Suite struct ConsistencyProofTests {
    /// MTH(D[n]) exactly as RFC 6962 section 2.1 defines it, over leaf hashes.
    func referenceRoot(_ leafHashes: ArraySlice<Data>) -> Data {
        if leafHashes.isEmpty { return Data(SHA256.hash(data: Data())) }
        if leafHashes.count == 1, let only = leafHashes.first { return only }
        var split = 1
        while split * 2 < leafHashes.count { split *= 2 }
        let middle = leafHashes.startIndex + split
        return MerkleTree.nodeHash(referenceRoot(leafHashes[..<middle]), referenceRoot(leafHashes[middle...]))
    }

    /// SUBPROOF(m, D[n], b) exactly as RFC 6962 section 2.1.2 writes it.
    func referenceSubproof(_ m: Int, _ leafHashes: ArraySlice<Data>, _ complete: Bool) -> [Data] {
        if m == leafHashes.count { return complete ? [] : [referenceRoot(leafHashes)] }
        var split = 1
        while split * 2 < leafHashes.count { split *= 2 }
        let middle = leafHashes.startIndex + split
        if m <= split {
            return referenceSubproof(m, leafHashes[..<middle], complete) + [referenceRoot(leafHashes[middle...])]
        }
        return referenceSubproof(m - split, leafHashes[middle...], false) + [referenceRoot(leafHashes[..<middle])]
    }

    func leafHashes(_ count: Int, tag: String = "entry") -> [Data] {
        (0..<count).map { MerkleTree.leafHash(Data("\(tag) \($0)".utf8)) }
    }

    @Test func everyProofUpToFortyLeavesMatchesTheDefinitionAndVerifies() throws {
        let leaves = leafHashes(40)
        for n in 1...40 {
            let tree = Array(leaves[..<n])
            let root = MerkleTree.root(ofLeafHashes: tree)
            for m in 1...n {
                let proof = try #require(ConsistencyProof.make(from: m, leafHashes: tree))
                #expect(proof == referenceSubproof(m, tree[...], true), "PROOF(\(m), D[\(n)])")
                let oldRoot = MerkleTree.root(ofLeafHashes: Array(tree[..<m]))
                #expect(ConsistencyProof.verify(first: m, firstRoot: oldRoot, second: n, secondRoot: root, proof: proof), "m \(m), n \(n)")
            }
        }
    }

    @Test func tamperedProofsAndRootsAreRefused() throws {
        let leaves = leafHashes(40)
        for n in 2...40 {
            let tree = Array(leaves[..<n])
            let root = MerkleTree.root(ofLeafHashes: tree)
            for m in 1..<n {
                let proof = try #require(ConsistencyProof.make(from: m, leafHashes: tree))
                let oldRoot = MerkleTree.root(ofLeafHashes: Array(tree[..<m]))
                for index in proof.indices {
                    var tampered = proof
                    tampered[index] = flipped(tampered[index])
                    #expect(!ConsistencyProof.verify(first: m, firstRoot: oldRoot, second: n, secondRoot: root, proof: tampered))
                }
                #expect(!ConsistencyProof.verify(first: m, firstRoot: flipped(oldRoot), second: n, secondRoot: root, proof: proof))
                #expect(!ConsistencyProof.verify(first: m, firstRoot: oldRoot, second: n, secondRoot: flipped(root), proof: proof))
                #expect(!ConsistencyProof.verify(first: m, firstRoot: oldRoot, second: n, secondRoot: root, proof: Array(proof.dropLast())))
                #expect(!ConsistencyProof.verify(first: m, firstRoot: oldRoot, second: n, secondRoot: root, proof: proof + [root]))
                #expect(!ConsistencyProof.verify(first: m, firstRoot: oldRoot, second: n, secondRoot: root, proof: []))
                // A full tree's root passed off as the root of a tree twice its size: the path ends one level
                // below the claimed root. (Another size can be consistent with the same hashes: they are opaque.)
                if n & (n - 1) == 0 {
                    #expect(!ConsistencyProof.verify(first: m, firstRoot: oldRoot, second: 2 * n, secondRoot: root, proof: proof),
                            "PROOF(\(m), D[\(n)]) claimed for size \(2 * n)")
                }
            }
        }
    }

    @Test func aRewrittenHistoryIsNotAnExtension() throws {
        let original = leafHashes(25)
        for m in 1...20 {
            let oldRoot = MerkleTree.root(ofLeafHashes: Array(original[..<m]))
            for rewritten in 0..<m {
                var history = original
                history[rewritten] = MerkleTree.leafHash(Data("forged \(rewritten)".utf8))
                let proof = try #require(ConsistencyProof.make(from: m, leafHashes: history))
                let root = MerkleTree.root(ofLeafHashes: history)
                #expect(!ConsistencyProof.verify(first: m, firstRoot: oldRoot, second: 25, secondRoot: root, proof: proof),
                        "entry \(rewritten + 1) rewritten under a tree of size \(m)")
            }
        }
    }

    @Test func aTruncatedTreeHasNoProof() throws {
        let leaves = leafHashes(12)
        #expect(ConsistencyProof.make(from: 13, leafHashes: leaves) == nil)
        #expect(ConsistencyProof.make(from: -1, leafHashes: leaves) == nil)
        let longRoot = MerkleTree.root(ofLeafHashes: leaves)
        let shortRoot = MerkleTree.root(ofLeafHashes: Array(leaves[..<8]))
        let proof = try #require(ConsistencyProof.make(from: 8, leafHashes: leaves))
        #expect(!ConsistencyProof.verify(first: 12, firstRoot: longRoot, second: 8, secondRoot: shortRoot, proof: proof))
        #expect(!ConsistencyProof.verify(first: 12, firstRoot: longRoot, second: 8, secondRoot: shortRoot, proof: []))
    }

    @Test func equalAndEmptyTreesNeedNoProof() throws {
        let leaves = leafHashes(9)
        let root = MerkleTree.root(ofLeafHashes: leaves)
        let empty = MerkleTree().root
        #expect(ConsistencyProof.make(from: 9, leafHashes: leaves) == [])
        #expect(ConsistencyProof.make(from: 0, leafHashes: leaves) == [])
        #expect(ConsistencyProof.verify(first: 9, firstRoot: root, second: 9, secondRoot: root, proof: []))
        #expect(!ConsistencyProof.verify(first: 9, firstRoot: root, second: 9, secondRoot: flipped(root), proof: []))
        #expect(!ConsistencyProof.verify(first: 9, firstRoot: root, second: 9, secondRoot: root, proof: [root]))
        #expect(ConsistencyProof.verify(first: 0, firstRoot: empty, second: 9, secondRoot: root, proof: []))
        #expect(!ConsistencyProof.verify(first: 0, firstRoot: root, second: 9, secondRoot: root, proof: []))
        #expect(!ConsistencyProof.verify(first: 0, firstRoot: empty, second: 9, secondRoot: root, proof: [root]))
    }

    /// The Certificate Transparency reference tree (eight leaves) and its published roots and proofs.
    @Test func certificateTransparencyKnownAnswers() throws {
        let data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        let leaves = try data.map { MerkleTree.leafHash(try #require(Data(hex: $0))) }
        let roots = [
            5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ]
        let proofs: [(m: Int, n: Int, proof: [String])] = [
            (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
            (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
            (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        ]
        for (n, root) in roots {
            #expect(MerkleTree.root(ofLeafHashes: Array(leaves[..<n])).hex == root, "root of size \(n)")
        }
        for (m, n, expected) in proofs {
            let proof = try #require(ConsistencyProof.make(from: m, leafHashes: Array(leaves[..<n])))
            #expect(proof.map(\.hex) == expected, "PROOF(\(m), D[\(n)])")
            let older = checkpoint(size: m, root: MerkleTree.root(ofLeafHashes: Array(leaves[..<m])))
            let newer = checkpoint(size: n, root: MerkleTree.root(ofLeafHashes: Array(leaves[..<n])))
            #expect(ConsistencyProof.verify(from: older, to: newer, proof: expected))
            #expect(!ConsistencyProof.verify(from: older, to: newer, proof: Array(expected.dropLast()) + ["not hex"]))
        }
    }

    func flipped(_ hash: Data) -> Data {
        var copy = hash
        copy[copy.startIndex] ^= 0x80
        return copy
    }

    func checkpoint(size: Int, root: Data) -> AuditCheckpoint {
        AuditCheckpoint(treeSize: size, root: root.hex, at: "2026-01-01T00:00:00Z", keyID: "", signature: "")
    }
}
