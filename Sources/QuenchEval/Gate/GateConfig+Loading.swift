import Foundation
import QuenchData
import QuenchConfig

extension GateConfig {
    /// Known keys of every section, by path (list items of `sets` under "sets").
    static let schema: [String: [String]] = [
        "": ["description", "windowing", "context", "batch_size", "sets", "thresholds"],
        "sets": ["name", "path", "format", "role", "metrics", "generation"],
        "sets.generation": ["max_new_tokens", "stop", "batch_size"],
        "thresholds": ["max_perplexity", "max_loss", "min_improvement", "max_regression", "min_tokens",
                       "min_accuracy", "min_accuracy_gain", "max_accuracy_drop"],
    ]

    /// Reads and validates the gate at `url`: schema, values, and that every set's file exists,
    /// so a broken gate fails before any model is loaded.
    /// - Throws: `EvalError.invalidGate` listing every problem as `file:line:column: key '...': ...`,
    ///   `.malformedGate` for text that is not YAML, `.unreadable` for a missing file.
    public static func load(contentsOf url: URL) throws -> GateConfig {
        let file = url.standardizedFileURL.absoluteURL
        do throws(ConfigFileError) {
            return try load(ConfigDocument(contentsOf: file.path), file: file)
        } catch {
            throw gateError(error)
        }
    }

    /// Parses and validates `yaml` as the gate at `file` (relative set paths resolve against its directory).
    public static func load(yaml: String, file: URL) throws -> GateConfig {
        do throws(ConfigFileError) {
            return try load(ConfigDocument(yaml: yaml, file: file.path), file: file)
        } catch {
            throw gateError(error)
        }
    }

    private static func load(_ document: ConfigDocument, file: URL) throws(ConfigFileError) -> GateConfig {
        try document.read(schema: schema) { reader, root in read(&reader, root: root, file: file) }
    }

    private static func gateError(_ error: ConfigFileError) -> EvalError {
        switch error {
        case .unreadable(let file, let reason): return .unreadable(file: file, reason: reason)
        case .malformedYAML(let file, let line, let column, let reason):
            return .malformedGate(file: file, reason: "line \(line), column \(column): \(reason)")
        case .invalid(let file, let problems): return .invalidGate(file: file, problems: problems)
        }
    }

    private static func read(_ r: inout ConfigReader, root node: ConfigNode?, file: URL) -> GateConfig {
        typealias R = ConfigReader
        let root = r.root(node)
        let description = r.optional("description", in: root, absent: nil, expected: "text", R.text)
        let context = r.value("context", in: root, default: 512, expected: "an integer", requirement: .atLeast(2),
                              R.integer)
        let windowing = r.value("windowing", in: root, default: Windowing.disjoint,
                                expected: "'disjoint', 'llama-cpp' or 'stride=K'") { try? Windowing(name: $0) }
        if case .stride(let k) = windowing, k > context {
            r.report(.invalidValue(requirement: "the stride must not exceed the context (\(context))", found: "\(k)"),
                     key: "windowing", at: r.places["windowing"] ?? root.place)
        }
        let batchSize = r.optional("batch_size", in: root, absent: nil, expected: "an integer",
                                   requirement: .atLeast(1), R.integer)
        let sets = readSets(&r, in: root, directory: file.deletingLastPathComponent())
        let thresholds = readThresholds(&r, in: root, sets: sets)
        return GateConfig(file: file, description: description, sets: sets, windowing: windowing, context: context,
                          batchSize: batchSize, thresholds: thresholds)
    }

    private static func readSets(_ r: inout ConfigReader, in root: ConfigReader.Section, directory: URL) -> [EvalSet] {
        typealias R = ConfigReader
        guard let list = r.list("sets", in: root, expected: "a list of sets ({name, path, format, role, metrics, generation})") else {
            r.report(.missing, key: "sets", at: root.place)
            return []
        }
        if list.items.isEmpty {
            r.report(.invalidValue(requirement: "must name at least one evaluation set", found: "an empty list"),
                     key: "sets", at: list.place)
        }
        var sets: [EvalSet] = []
        for item in list.items {
            let s = r.open(item, relative: "sets", place: ConfigPlace(item, orElse: list.place))
            guard s.mapping != nil else { continue }
            let name = r.value("name", in: s, default: "", expected: "a name", requirement: .nonEmpty, R.text)
            let path = r.value("path", in: s, default: "", expected: "a path", requirement: .nonEmpty, R.text)
            let format = r.optional("format", in: s, absent: nil, expected: R.choices(DatasetFormat.self),
                                    DatasetFormat.init(rawValue:))
            let role = r.value("role", in: s, default: Role.task, expected: R.choices(Role.self), Role.init(rawValue:))
            let generation = readGeneration(&r, in: s)
            if !r.isPresent("name", in: s) { r.report(.missing, key: "sets.name", at: s.place) }
            if sets.contains(where: { $0.name == name }), !name.isEmpty {
                r.report(.invalidValue(requirement: "set names must be unique", found: "'\(name)' twice"),
                         key: "sets.name", at: r.places["sets.name"] ?? s.place)
            }
            guard r.isPresent("path", in: s) else {
                r.report(.missing, key: "sets.path", at: s.place)
                continue
            }
            let url = URL(fileURLWithPath: path, relativeTo: directory).standardizedFileURL.absoluteURL
            if generation != nil {
                checkGenerativeFile(&r, url: url, format: format, in: s)
            } else {
                do {
                    try EvalSetSource(file: url, format: format, name: name).check()
                } catch {
                    r.report(.invalidValue(requirement: "must be a readable .txt or .jsonl file",
                                           found: "\(url.path) (\(reason(error)))"),
                             key: "sets.path", at: r.places["sets.path"] ?? s.place)
                }
            }
            sets.append(EvalSet(name: name, file: url, format: format, role: role, generation: generation))
        }
        return sets
    }

    private static func readThresholds(_ r: inout ConfigReader, in root: ConfigReader.Section, sets: [EvalSet]) -> Thresholds {
        typealias R = ConfigReader
        let s = r.section("thresholds", in: root)
        var t = Thresholds()
        t.maxPerplexity = r.optional("max_perplexity", in: s, absent: nil, expected: "a number",
                                     requirement: .positive, R.number)
        t.maxLoss = r.optional("max_loss", in: s, absent: nil, expected: "a number", requirement: .positive, R.number)
        t.minImprovement = r.optional("min_improvement", in: s, absent: nil, expected: "a number (0.05 = 5%)",
                                      requirement: Requirement(text: "must be below 1", isMet: { $0 < 1 }), R.number)
        t.maxRegression = r.optional("max_regression", in: s, absent: nil, expected: "a number (0.05 = 5%)",
                                     requirement: .nonNegative, R.number)
        t.minTokens = r.optional("min_tokens", in: s, absent: nil, expected: "an integer", requirement: .atLeast(1),
                                 R.integer)
        // The loss thresholds apply to loss sets only (a set without metrics).
        let lossSets = sets.filter { $0.generation == nil }
        let roles = Set(lossSets.map(\.role))
        if t.maxRegression != nil, !sets.isEmpty, !roles.contains(.general) {
            r.report(.invalidValue(requirement: "needs a loss set (without metrics) with role 'general' to compare",
                                   found: "none"),
                     key: "thresholds.max_regression", at: r.places["thresholds.max_regression"] ?? s.place)
        }
        let taskKeys = [("max_perplexity", t.maxPerplexity), ("max_loss", t.maxLoss), ("min_improvement", t.minImprovement)]
        for (key, value) in taskKeys where value != nil && !sets.isEmpty && !roles.contains(.task) {
            r.report(.invalidValue(requirement: "needs a loss set (without metrics) with role 'task' to check", found: "none"),
                     key: "thresholds.\(key)", at: r.places["thresholds.\(key)"] ?? s.place)
        }
        if t.minTokens != nil, !sets.isEmpty, lossSets.isEmpty {
            r.report(.invalidValue(requirement: "needs a loss set (without metrics) to count tokens on", found: "none"),
                     key: "thresholds.min_tokens", at: r.places["thresholds.min_tokens"] ?? s.place)
        }
        readAccuracyThresholds(&r, in: s, sets: sets, into: &t)
        return t
    }

    /// The reason of a file check's error, without the file (the problem names it).
    static func reason(_ error: Error) -> String {
        switch error {
        case EvalError.unreadable(_, let reason): return reason
        case EvalError.invalidSetting(_, let reason): return reason
        default: return "\(error)"
        }
    }
}
