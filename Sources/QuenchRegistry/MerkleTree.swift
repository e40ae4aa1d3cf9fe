import Crypto
import Foundation

/// RFC 6962 Merkle tree hashing, computed incrementally so every prefix root costs O(log n).
///
/// Leaves are `SHA-256(0x00 || data)`, interior nodes `SHA-256(0x01 || left || right)`, and the
/// tree over n leaves splits at the largest power of two below n (RFC 6962 section 2.1).
public struct MerkleTree: Sendable {
    /// Roots of the perfect subtrees covering the leaves so far, largest (leftmost) first.
    private var peaks: [(size: Int, hash: Data)] = []
    /// Number of leaves appended.
    public private(set) var size = 0

    public init() {}

    /// The leaf hash of `data`.
    public static func leafHash(_ data: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data([0x00]))
        hasher.update(data: data)
        return Data(hasher.finalize())
    }

    /// The interior-node hash of two children.
    public static func nodeHash(_ left: Data, _ right: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: Data([0x01]))
        hasher.update(data: left)
        hasher.update(data: right)
        return Data(hasher.finalize())
    }

    /// Appends a leaf given by its leaf hash, merging equal-sized subtrees.
    public mutating func append(leafHash: Data) {
        var node = (size: 1, hash: leafHash)
        while let last = peaks.last, last.size == node.size {
            peaks.removeLast()
            node = (last.size * 2, Self.nodeHash(last.hash, node.hash))
        }
        peaks.append(node)
        size += 1
    }

    /// The root over all leaves appended so far; the hash of the empty string for no leaves.
    ///
    /// The RFC 6962 tree over n leaves is the perfect subtrees of n's binary decomposition,
    /// joined right to left, which is exactly folding the peaks from the right.
    public var root: Data {
        guard var accumulator = peaks.last?.hash else { return Data(SHA256.hash(data: Data())) }
        for peak in peaks.dropLast().reversed() {
            accumulator = Self.nodeHash(peak.hash, accumulator)
        }
        return accumulator
    }

    /// The root of the leaves given by their leaf hashes.
    public static func root(ofLeafHashes leaves: [Data]) -> Data {
        var tree = MerkleTree()
        for leaf in leaves { tree.append(leafHash: leaf) }
        return tree.root
    }
}

extension Data {
    /// Lower-case hex, as the audit log stores hashes.
    var hex: String { map { String(format: "%02x", $0) }.joined() }

    /// Parses lower- or upper-case hex; nil for odd length or a non-hex character.
    init?(hex: String) {
        let bytes = Array(hex.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        var data = Data(capacity: bytes.count / 2)
        var index = 0
        while index < bytes.count {
            guard let high = Self.nibble(bytes[index]), let low = Self.nibble(bytes[index + 1]) else { return nil }
            data.append(high << 4 | low)
            index += 2
        }
        self = data
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
