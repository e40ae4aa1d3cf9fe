/// PEFT's `rank_pattern` and `alpha_pattern`: a rank r and a lora_alpha for some adapted modules that
/// differ from the adapters' own, keyed by the module's Hugging Face name (`q_proj`,
/// `model.layers.0.self_attn.q_proj`).
///
/// PEFT 0.21 treats each key as a regular expression and takes it for a module whose full name matches
/// `(.*\.)?(key)$` (`get_pattern_key`): the key is the whole name or its tail after a dot. Quench has no
/// regular-expression engine, so it accepts keys made of letters, digits, `_`, `-` and `.` only, and
/// matches them exactly as that expression does (a `.` in the key matches any one character). A module
/// that no key matches keeps the default; a key that matches no module is ignored, as in PEFT. When
/// keys with different values match one module, PEFT takes the first in the file's key order, which
/// Quench does not rely on: that is refused naming both keys.
public struct LoRAPatterns: Sendable, Equatable {
    /// Per-module ranks (`rank_pattern`).
    public var rank: [String: Int]
    /// Per-module alphas (`alpha_pattern`).
    public var alpha: [String: Float]

    /// A pattern key or value Quench cannot read as PEFT would.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        /// `rank_pattern` or `alpha_pattern`.
        public let pattern: String
        /// The offending key.
        public let key: String
        /// What is wrong with it and what to do.
        public let reason: String
        public var description: String { "\(pattern): key '\(key)' \(reason)" }
    }

    /// The characters a key may hold: a module name's, with `.` as PEFT's any-character wildcard.
    static let allowedCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")

    /// Patterns with these entries (none by default).
    public init(rank: [String: Int] = [:], alpha: [String: Float] = [:]) {
        (self.rank, self.alpha) = (rank, alpha)
    }

    /// Whether neither pattern has a key: every target has the adapters' own rank and alpha.
    public var isEmpty: Bool { rank.isEmpty && alpha.isEmpty }

    /// Each pattern that has keys, by PEFT's name, its entries as `key: value` sorted by key (alphas
    /// as their shortest decimal), for model cards and reports: `("rank_pattern", "v_proj: 2")`.
    public var listed: [(pattern: String, entries: String)] {
        let ranks = rank.keys.sorted().map { "\($0): \(rank[$0] ?? 0)" }
        let alphas = alpha.keys.sorted().map { "\($0): \(alpha[$0].map(\.description) ?? "")" }
        return [("rank_pattern", ranks), ("alpha_pattern", alphas)].filter { !$0.1.isEmpty }
            .map { (pattern: $0.0, entries: $0.1.joined(separator: ", ")) }
    }

    /// Refuses a key with a regular-expression character other than `.`, a rank below 1 and an alpha
    /// that is not a positive finite number.
    public func validate() throws(Failure) {
        for key in rank.keys.sorted() {
            try Self.checkKey(key, in: "rank_pattern")
            if let value = rank[key], value < 1 {
                throw Failure(pattern: "rank_pattern", key: key, reason: "has rank \(value); a rank must be at least 1")
            }
        }
        for key in alpha.keys.sorted() {
            try Self.checkKey(key, in: "alpha_pattern")
            if let value = alpha[key], !(value.isFinite && value > 0) {
                throw Failure(pattern: "alpha_pattern", key: key, reason: "has alpha \(value); an alpha must be positive")
            }
        }
    }

    private static func checkKey(_ key: String, in pattern: String) throws(Failure) {
        if let problem = keyProblem(key) { throw Failure(pattern: pattern, key: key, reason: problem) }
    }

    /// Why `key` cannot be a pattern key, or nil when it can.
    public static func keyProblem(_ key: String) -> String? {
        key.first { !allowedCharacters.contains($0) }.map {
            "holds '\($0)': PEFT reads keys as regular expressions, and Quench accepts only module names "
                + "(letters, digits, '_', '-', '.'), such as q_proj or model.layers.0.self_attn.q_proj"
        }
    }

    /// The rank and alpha of the module named `module` (its full Hugging Face name), nil where no key matches.
    public func resolve(module: String) throws(Failure) -> (rank: Int?, alpha: Float?) {
        (try Self.value(in: rank, for: module, pattern: "rank_pattern"),
         try Self.value(in: alpha, for: module, pattern: "alpha_pattern"))
    }

    /// The keys of either pattern that match none of `modules` (full names), sorted.
    public func unmatchedKeys(among modules: [String]) -> [(pattern: String, key: String)] {
        let unmatched = { (keys: [String]) in
            keys.sorted().filter { key in !modules.contains { Self.matches(key: key, module: $0) } }
        }
        return unmatched(Array(rank.keys)).map { ("rank_pattern", $0) }
            + unmatched(Array(alpha.keys)).map { ("alpha_pattern", $0) }
    }

    private static func value<Value: Equatable>(in pattern: [String: Value], for module: String,
                                                pattern name: String) throws(Failure) -> Value? {
        let keys = pattern.keys.sorted().filter { matches(key: $0, module: module) }
        guard let first = keys.first, let value = pattern[first] else { return nil }
        if let other = keys.first(where: { pattern[$0] != value }) {
            throw Failure(pattern: name, key: other,
                          reason: "and key '\(first)' both match module \(module) with different values; PEFT takes "
                            + "whichever comes first in the file, which Quench does not rely on: keep one key per module")
        }
        return value
    }

    /// Whether PEFT's `re.match(rf"(.*\.)?({key})$", module)` holds for a key of `allowedCharacters`:
    /// the key, with `.` matching any character, spans the whole name or the part after one of its dots.
    static func matches(key: String, module: String) -> Bool {
        let key = Array(key), name = Array(module)
        guard key.count <= name.count else { return false }
        let start = name.count - key.count
        guard start == 0 || name[start - 1] == "." else { return false }
        return zip(key, name[start...]).allSatisfy { $0 == "." || $0 == $1 }
    }
}
