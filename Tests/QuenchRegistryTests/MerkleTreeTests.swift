import Crypto
import Foundation
import Testing
@testable import QuenchRegistry

/// The incremental tree agrees with RFC 6962's recursive definition for every size.
@Suite struct MerkleTreeTests {
    /// MTH(D[n]) exactly as RFC 6962 section 2.1 defines it.
    func reference(_ leaves: ArraySlice<Data>) -> Data {
        if leaves.isEmpty { return Data(SHA256.hash(data: Data())) }
        if leaves.count == 1, let only = leaves.first { return MerkleTree.leafHash(only) }
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        let start = leaves.startIndex
        return MerkleTree.nodeHash(reference(leaves[start..<start + split]), reference(leaves[(start + split)...]))
    }

    @Test func incrementalRootsMatchTheRecursiveDefinition() {
        let leaves = (0..<70).map { Data("leaf \($0)".utf8) }
        var tree = MerkleTree()
        #expect(tree.root.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for (index, leaf) in leaves.enumerated() {
            tree.append(leafHash: MerkleTree.leafHash(leaf))
            #expect(tree.root == reference(leaves[0...index]), "size \(index + 1)")
        }
    }

    @Test func leafAndNodeHashesAreDomainSeparated() {
        let leaf = MerkleTree.leafHash(Data())
        #expect(leaf.hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        #expect(MerkleTree.nodeHash(leaf, leaf) != MerkleTree.leafHash(leaf + leaf))
    }

    @Test func canonicalJSONSortsKeysAndEscapesMinimally() {
        let value = JSONValue.object(["b": .int(1), "a": .array([.string("x\"y\n"), .null, .bool(true)]), "é": .string("/")])
        #expect(value.canonical == #"{"a":["x\"y\n",null,true],"b":1,"é":"/"}"#)
    }
}
