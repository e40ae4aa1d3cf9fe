import Yams

/// A 1-based line and column in the configuration file.
public struct ConfigPlace: Equatable, Sendable {
    public let line: Int
    public let column: Int

    public static let start = ConfigPlace(line: 1, column: 1)

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public init(_ node: Node, orElse fallback: ConfigPlace) {
        if let mark = node.mark { self.init(line: mark.line, column: mark.column) } else { self = fallback }
    }
}

/// A condition a value must meet, with the words that explain it to the user.
public struct Requirement<Value>: Sendable {
    public let text: String
    public let isMet: @Sendable (Value) -> Bool

    /// A requirement explained by `text`.
    public init(text: String, isMet: @escaping @Sendable (Value) -> Bool) {
        self.text = text
        self.isMet = isMet
    }

    public static var any: Requirement { Requirement(text: "", isMet: { _ in true }) }
}

extension Requirement where Value == Int {
    public static func atLeast(_ minimum: Int) -> Requirement {
        Requirement(text: "must be at least \(minimum)", isMet: { $0 >= minimum })
    }

    /// A count bounded on both sides: large enough to work, small enough that the arithmetic and the
    /// memory it sizes stay possible.
    public static func within(_ range: ClosedRange<Int>) -> Requirement {
        Requirement(text: "must be between \(range.lowerBound) and \(range.upperBound)", isMet: { range.contains($0) })
    }
}

extension Requirement where Value == String {
    public static var nonEmpty: Requirement { Requirement(text: "must not be empty", isMet: { !$0.isEmpty }) }
}

extension Requirement where Value == Double {
    public static var positive: Requirement { Requirement(text: "must be greater than 0", isMet: { $0 > 0 }) }
    public static var nonNegative: Requirement { Requirement(text: "must be at least 0", isMet: { $0 >= 0 }) }
    /// [0, 1): probabilities and decay rates.
    public static var unitHalfOpen: Requirement {
        Requirement(text: "must be at least 0 and less than 1", isMet: { $0 >= 0 && $0 < 1 })
    }
    /// [0, 1].
    public static var unitClosed: Requirement { Requirement(text: "must be between 0 and 1", isMet: { $0 >= 0 && $0 <= 1 }) }
}

/// Reads typed values out of composed YAML, recording every problem with its place instead of stopping
/// at the first, so one run reports all of them. A value with a problem reads as its default.
/// Public so other YAML files (quality gates, job specs) report problems the same way.
public struct ConfigReader {
    /// A mapping being read; `mapping` is nil when it is absent or not a mapping (already reported).
    public struct Section {
        /// Path relative to the configuration root ("" for the root, "optimizer", ...).
        public let relative: String
        public let mapping: Node.Mapping?
        public let place: ConfigPlace
        /// The schema entry its keys are checked against: `relative`, or for a mapping under a name the
        /// user chooses, a pattern such as `backends.*` (nested sections follow it: `backends.*.slurm`).
        public let schemaKey: String

        init(relative: String, mapping: Node.Mapping?, place: ConfigPlace, schemaKey: String? = nil) {
            self.relative = relative
            self.mapping = mapping
            self.place = place
            self.schemaKey = schemaKey ?? relative
        }
    }

    public let file: String
    /// Prefix of every reported key, e.g. "training" inside a job spec; "" for a standalone file.
    let prefix: String
    /// Known keys of every section, by relative path: for unknown-key checks and suggestions.
    public let schema: [String: [String]]
    public private(set) var problems: [ConfigProblem] = []
    /// Where each present key's value is, by relative path, for checks that involve two keys.
    public private(set) var places: [String: ConfigPlace] = [:]

    /// A reader for `file`; `schema` lists the known keys of each section by relative path.
    public init(file: String, prefix: String, schema: [String: [String]]) {
        self.file = file
        self.prefix = prefix
        self.schema = schema
    }

    /// The dotted path of `key` under `relative` as the user sees it.
    func fullKey(_ relative: String) -> String {
        [prefix, relative].filter { !$0.isEmpty }.joined(separator: ".")
    }

    public static func join(_ section: String, _ key: String) -> String {
        section.isEmpty ? key : section + "." + key
    }

    public mutating func report(_ kind: ConfigProblem.Kind, key relative: String, at place: ConfigPlace) {
        problems.append(ConfigProblem(file: file, line: place.line, column: place.column,
                                      key: fullKey(relative), kind: kind))
    }

    /// Every problem recorded, in the order of the file (by line, then column, then as found).
    public var orderedProblems: [ConfigProblem] { ConfigProblem.ordered(problems) }

    /// Throws every problem recorded, in the order of the file, as `ConfigFileError.invalid`.
    public func finish() throws(ConfigFileError) {
        guard problems.isEmpty else { throw .invalid(file: file, problems: orderedProblems) }
    }

    /// How a node looks to a user: quoted text, null, a list or a mapping.
    public static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return node.null != nil ? "null" : "'\(scalar.string)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    /// The value of the key spelled `key`, matched on its text whatever the YAML resolver made of it.
    public static func entry(_ key: String, in mapping: Node.Mapping) -> Node? {
        mapping.first { $0.key.scalar?.string == key }?.value
    }

    // MARK: Sections

    /// Opens the root mapping; an empty document reads as an empty mapping.
    public mutating func root(_ node: Node?) -> Section {
        guard let node else { return Section(relative: "", mapping: Node.Mapping([]), place: .start) }
        return open(node, relative: "", place: ConfigPlace(node, orElse: .start))
    }

    /// Opens the mapping under `key`; absent or null reads as an empty mapping.
    public mutating func section(_ key: String, in parent: Section) -> Section {
        let relative = Self.join(parent.relative, key)
        let schemaKey = Self.join(parent.schemaKey, key)
        guard let node = parent.mapping.flatMap({ Self.entry(key, in: $0) }) else {
            return Section(relative: relative, mapping: nil, place: parent.place, schemaKey: schemaKey)
        }
        let place = ConfigPlace(node, orElse: parent.place)
        places[relative] = place
        if node.null != nil { return Section(relative: relative, mapping: nil, place: place, schemaKey: schemaKey) }
        return open(node, relative: relative, place: place, schemaKey: schemaKey)
    }

    /// Opens `node` as a mapping whose known keys are `schema[schemaKey]` (`relative` when nil): list
    /// items share their list's entry, a mapping under a free-form name a pattern like `backends.*`.
    public mutating func open(_ node: Node, relative: String, place: ConfigPlace, schemaKey: String? = nil) -> Section {
        let schemaKey = schemaKey ?? relative
        guard case .mapping(let mapping) = node else {
            report(.wrongType(expected: "a mapping of keys", found: Self.describe(node)), key: relative, at: place)
            return Section(relative: relative, mapping: nil, place: place, schemaKey: schemaKey)
        }
        let known = schema[schemaKey] ?? []
        for (keyNode, _) in mapping {
            let keyPlace = ConfigPlace(keyNode, orElse: place)
            guard case .scalar(let scalar) = keyNode else {
                report(.wrongType(expected: "a key name", found: Self.describe(keyNode)), key: relative, at: keyPlace)
                continue
            }
            guard !known.contains(scalar.string) else { continue }
            let suggestion = KeySuggestion.closest(to: scalar.string, in: schemaKey, schema: schema)
            report(.unknownKey(suggestion: suggestion, known: known), key: Self.join(relative, scalar.string),
                   at: keyPlace)
        }
        return Section(relative: relative, mapping: mapping, place: place, schemaKey: schemaKey)
    }

    /// The pairs of the mapping under `key`, whose keys are names the user chooses (backends, users,
    /// accounts), not schema keys; absent or null reads as none, anything but a mapping is reported.
    public mutating func namedEntries(_ key: String, in section: Section,
                                      expected: String) -> [(name: String, entry: Entry)] {
        let relative = Self.join(section.relative, key)
        guard case .present(let found) = lookup(key, in: section) else { return [] }
        guard case .mapping(let mapping) = found.node else {
            report(.wrongType(expected: expected, found: Self.describe(found.node)), key: relative, at: found.place)
            return []
        }
        var named: [(name: String, entry: Entry)] = []
        for (keyNode, value) in mapping {
            let keyPlace = ConfigPlace(keyNode, orElse: found.place)
            guard case .scalar(let scalar) = keyNode, !scalar.string.isEmpty else {
                report(.wrongType(expected: "a name", found: Self.describe(keyNode)), key: relative, at: keyPlace)
                continue
            }
            named.append((scalar.string, Entry(node: value, place: ConfigPlace(value, orElse: keyPlace))))
        }
        return named
    }

    // MARK: Values

    /// A present key's value and place.
    public struct Entry {
        public let node: Node
        public let place: ConfigPlace

        /// A value node and where it is.
        public init(node: Node, place: ConfigPlace) {
            self.node = node
            self.place = place
        }
    }

    /// How a key appears: absent, null, or with a value.
    public enum Presence {
        case absent
        case null(ConfigPlace)
        case present(Entry)
    }

    /// Looks up `key`, recording its place.
    public mutating func lookup(_ key: String, in section: Section) -> Presence {
        guard let found = section.mapping.flatMap({ Self.entry(key, in: $0) }) else { return .absent }
        let place = ConfigPlace(found, orElse: section.place)
        places[Self.join(section.relative, key)] = place
        return found.null != nil ? .null(place) : .present(Entry(node: found, place: place))
    }

    /// Whether `key` appears in `section`, even with a null value.
    public func isPresent(_ key: String, in section: Section) -> Bool {
        section.mapping.flatMap { Self.entry(key, in: $0) } != nil
    }

    /// Whether `key` appears in `section` with a value other than null.
    public func isGiven(_ key: String, in section: Section) -> Bool {
        guard let found = section.mapping.flatMap({ Self.entry(key, in: $0) }) else { return false }
        return found.null == nil
    }

    /// Converts one scalar node, reporting anything else, or text `convert` rejects, as the wrong type.
    public mutating func parse<T>(_ entry: Entry, key relative: String, expected: String,
                           requirement: Requirement<T>, _ convert: (String) -> T?) -> T? {
        guard case .scalar(let scalar) = entry.node, let value = convert(scalar.string) else {
            report(.wrongType(expected: expected, found: Self.describe(entry.node)), key: relative, at: entry.place)
            return nil
        }
        guard requirement.isMet(value) else {
            let found = value is String ? "'\(scalar.string)'" : scalar.string
            report(.invalidValue(requirement: requirement.text, found: found), key: relative, at: entry.place)
            return nil
        }
        return value
    }

    /// The value under `key`: `absent` when the key is missing, nil when null or wrong.
    public mutating func optional<T>(_ key: String, in section: Section, absent: T?, expected: String,
                              requirement: Requirement<T> = .any, _ convert: (String) -> T?) -> T? {
        switch lookup(key, in: section) {
        case .absent: return absent
        case .null: return nil
        case .present(let entry):
            return parse(entry, key: Self.join(section.relative, key), expected: expected,
                         requirement: requirement, convert)
        }
    }

    /// The value under `key`, or `fallback` when it is absent; null or wrong values are reported.
    public mutating func value<T>(_ key: String, in section: Section, default fallback: T, expected: String,
                           requirement: Requirement<T> = .any, _ convert: (String) -> T?) -> T {
        let relative = Self.join(section.relative, key)
        switch lookup(key, in: section) {
        case .absent:
            return fallback
        case .null(let place):
            report(.wrongType(expected: expected, found: "null"), key: relative, at: place)
            return fallback
        case .present(let entry):
            return parse(entry, key: relative, expected: expected, requirement: requirement, convert) ?? fallback
        }
    }

    /// The items of the list under `key`: nil when absent or null, reporting anything but a list.
    public mutating func list(_ key: String, in section: Section, expected: String) -> (items: [Node], place: ConfigPlace)? {
        guard case .present(let entry) = lookup(key, in: section) else { return nil }
        guard case .sequence(let sequence) = entry.node else {
            report(.wrongType(expected: expected, found: Self.describe(entry.node)),
                   key: Self.join(section.relative, key), at: entry.place)
            return nil
        }
        return (Array(sequence), entry.place)
    }

    // MARK: Parsers

    public static func integer(_ text: String) -> Int? { Int(text) }

    public static func number(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    public static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    public static func text(_ text: String) -> String? { text }

    /// "one of 'a', 'b'" for the cases of a closed string enum.
    public static func choices<T: CaseIterable & RawRepresentable>(_ type: T.Type) -> String where T.RawValue == String {
        "one of " + T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}
