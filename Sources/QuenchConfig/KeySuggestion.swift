/// Finds the key a user probably meant when they typed an unknown one.
enum KeySuggestion {
    /// The closest key of section `relative`; failing that, the same key in another section
    /// ("optimizer.learning_rate" for a top-level `learning_rate`); nil when nothing is close.
    ///
    /// Keys are compared without case, `_` or `-`, so `learningRate` and `learning-rate` find
    /// `learning_rate`; a match may differ by up to a third of its length (at least 1) in edits, or
    /// be a shortening of at least 4 letters (`warmup` for `warmup_steps`).
    static func closest(to typed: String, in relative: String, schema: [String: [String]]) -> String? {
        let wanted = normalized(typed)
        var best: (key: String, distance: Int)?
        for key in schema[relative] ?? [] {
            let known = normalized(key)
            let distance = editDistance(wanted, known)
            let shortened = wanted.count >= 4 && (known.starts(with: wanted) || wanted.starts(with: known))
            guard distance <= max(1, known.count / 3) || shortened else { continue }
            if distance < (best?.distance ?? .max) { best = (key, distance) }
        }
        if let best { return best.key }
        // A pattern section (`backends.*`) is no path to offer: its `*` stands for a name the user chooses.
        for (section, keys) in schema.sorted(by: { $0.key < $1.key }) where section != relative && !section.contains("*") {
            if let key = keys.first(where: { normalized($0) == wanted }) {
                return section.isEmpty ? key : section + "." + key
            }
        }
        return nil
    }

    static func normalized(_ key: String) -> [Character] {
        Array(key.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// Levenshtein distance: insertions, deletions and substitutions.
    /// - Complexity: O(a.count × b.count); keys are short.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
