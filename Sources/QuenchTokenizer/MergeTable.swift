/// The BPE merge rules as a hash from an adjacent pair of ids to the rule's rank and the merged id.
struct MergeTable: Sendable {
    /// Key: left id << 32 | right id. Value: rank << 32 | merged id.
    private let rules: [UInt64: UInt64]

    /// Parses `"a b"` rules in rank order. A repeated rule keeps its first (lowest) rank.
    init(merges: [String], idForToken: [String: Int]) throws {
        var rules: [UInt64: UInt64] = [:]
        rules.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            // Split at the first space after the first byte, so a left token that is itself " " still parses.
            let bytes = Array(merge.utf8)
            guard let space = bytes.indices.dropFirst().first(where: { bytes[$0] == 0x20 }), space + 1 < bytes.count else {
                throw TokenizerError.malformedMerge(rank: rank, merge: merge)
            }
            let left = String(decoding: bytes[..<space], as: UTF8.self)
            let right = String(decoding: bytes[(space + 1)...], as: UTF8.self)
            func id(_ token: String) throws -> UInt64 {
                guard let id = idForToken[token] else {
                    throw TokenizerError.mergeTokenNotInVocabulary(rank: rank, merge: merge, token: token)
                }
                return UInt64(id)
            }
            let key = try id(left) << 32 | id(right)
            let merged = try id(left + right)
            if rules[key] == nil { rules[key] = UInt64(rank) << 32 | merged }
        }
        self.rules = rules
    }

    /// The rules as `"left right"` strings in rank order, spelled with `tokens` (for export).
    func rulesInRankOrder(tokens: [String]) -> [String] {
        rules.map { key, value in (rank: value >> 32, left: Int(key >> 32), right: Int(key & 0xFFFF_FFFF)) }
            .sorted { $0.rank < $1.rank }
            .map { tokens[$0.left] + " " + tokens[$0.right] }
    }

    /// The rank and merged id of the rule joining `left` and `right`, if there is one.
    @inline(__always)
    func rule(_ left: Int32, _ right: Int32) -> (rank: Int32, merged: Int32)? {
        guard let value = rules[UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))] else { return nil }
        return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value & 0xFFFF_FFFF))
    }
}

/// Finds special and added tokens in text by their UTF-8 bytes, longest first at each position.
struct SpecialTokenMatcher: Sendable {
    /// For each first byte, the candidate tokens (bytes, id), longest first.
    private let candidates: [[(bytes: [UInt8], id: Int)]]

    init(tokens: [(bytes: [UInt8], id: Int)]) {
        var candidates = Array(repeating: [(bytes: [UInt8], id: Int)](), count: 256)
        for token in tokens {
            guard let first = token.bytes.first else { continue }
            candidates[Int(first)].append(token)
        }
        self.candidates = candidates.map { bucket in bucket.sorted { $0.bytes.count > $1.bytes.count } }
    }

    /// The longest token whose bytes start at `position`, with its length.
    @inline(__always)
    func match(in text: UnsafeBufferPointer<UInt8>, at position: Int) -> (id: Int, length: Int)? {
        let bucket = candidates[Int(text[position])]
        if bucket.isEmpty { return nil }
        let remaining = text.count - position
        for candidate in bucket where candidate.bytes.count <= remaining {
            var equal = true
            for offset in 1..<candidate.bytes.count where text[position + offset] != candidate.bytes[offset] {
                equal = false
                break
            }
            if equal { return (candidate.id, candidate.bytes.count) }
        }
        return nil
    }
}
