/// 64-bit SimHash of a text's word trigrams: texts that differ in a few words have hashes that differ
/// in a few bits, which is what near-duplicate detection needs without comparing every pair of texts.
enum SimHash {
    /// Texts with fewer words are not compared for near duplicates (too short to mean anything).
    static let minimumWords = 5

    /// The SimHash of `text`, or nil when it has fewer than `minimumWords` words. Words are runs of
    /// letters and digits (and non-ASCII bytes), lower-cased; punctuation and spacing do not count.
    static func of(_ text: String) -> UInt64? {
        var weights = [Int32](repeating: 0, count: 64)
        var words = 0
        var previous: (UInt64, UInt64) = (0, 0)
        var word: UInt64 = 0xcbf2_9ce4_8422_2325
        var inWord = false
        func endWord() {
            guard inWord else { return }
            inWord = false
            words += 1
            let shingle = mix(previous.0 &* 0x9E37_79B9_7F4A_7C15 ^ previous.1 &* 0xC2B2_AE3D_27D4_EB4F ^ word)
            previous = (previous.1, word)
            word = 0xcbf2_9ce4_8422_2325
            if words >= 3 {
                weights.withUnsafeMutableBufferPointer { weights in
                    for bit in 0..<64 { weights[bit] += (shingle >> UInt64(bit)) & 1 == 1 ? 1 : -1 }
                }
            }
        }
        for byte in text.utf8 {
            if ASCII.isAlphanumeric(byte) || byte >= 0x80 {
                inWord = true
                word = (word ^ UInt64(ASCII.isUpper(byte) ? byte | 0x20 : byte)) &* 0x100_0000_01b3
            } else {
                endWord()
            }
        }
        endWord()
        guard words >= minimumWords else { return nil }
        var hash: UInt64 = 0
        for bit in 0..<64 where weights[bit] > 0 { hash |= 1 << UInt64(bit) }
        return hash
    }

    /// SplitMix64's finaliser: spreads the bits of a combined word hash.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// SimHashes indexed by four 16-bit bands: two hashes within 3 bits of each other share a band
/// (pigeonhole), so lookups compare only against the few hashes in the same bands.
struct SimHashIndex {
    private var bands: [[UInt16: [UInt64]]] = Array(repeating: [:], count: 4)
    /// Candidates compared per band, so thousands of similar records cannot make a lookup quadratic.
    private static let candidateLimit = 64

    /// True when a hash within `distance` bits of `hash` was inserted.
    func containsNear(_ hash: UInt64, distance: Int) -> Bool {
        for band in 0..<4 {
            guard let candidates = bands[band][Self.key(hash, band)] else { continue }
            for candidate in candidates.prefix(Self.candidateLimit)
            where (candidate ^ hash).nonzeroBitCount <= distance {
                return true
            }
        }
        return false
    }

    mutating func insert(_ hash: UInt64) {
        for band in 0..<4 {
            let key = Self.key(hash, band)
            if bands[band][key, default: []].count < Self.candidateLimit { bands[band][key, default: []].append(hash) }
        }
    }

    private static func key(_ hash: UInt64, _ band: Int) -> UInt16 { UInt16(truncatingIfNeeded: hash >> UInt64(16 * band)) }
}
