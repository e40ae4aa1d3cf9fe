import Foundation
import QuenchConfig
import QuenchData
import QuenchGate

/// Reading a gate's generative sets (`metrics` and `generation` under a set) and its accuracy thresholds.
extension GateConfig {
    typealias Section = ConfigReader.Section

    /// Options lm-evaluation-harness's `exact_match` has that Quench refuses rather than ignores.
    static let lmEvalOnlyOptions = ["ignore_numbers", "regexes_to_ignore"]

    /// A set's generation settings: nil when it has no `metrics` (a loss set, where `generation` is refused).
    static func readGeneration(_ r: inout ConfigReader, in s: Section) -> GenerationSettings? {
        typealias R = ConfigReader
        let g = r.section("generation", in: s)
        guard r.isPresent("metrics", in: s) else {
            if r.isPresent("generation", in: s) {
                r.report(.refused(reason: "only a generative set has generation settings; add 'metrics' to this set "
                                  + "to score generated answers, or remove 'generation'"),
                         key: "sets.generation", at: r.places["sets.generation"] ?? s.place)
            }
            return nil
        }
        let metrics = readMetrics(&r, in: s)
        let maxNewTokens = r.value("max_new_tokens", in: g, default: GenerationSettings.defaultMaxNewTokens,
                                   expected: "an integer",
                                   requirement: .within(1...GenerationSettings.maximumNewTokens), R.integer)
        let batchSize = r.value("batch_size", in: g, default: GenerationSettings.defaultBatchSize, expected: "an integer",
                                requirement: .within(1...GenerationSettings.maximumBatchSize), R.integer)
        return GenerationSettings(metrics: metrics, maxNewTokens: maxNewTokens, stop: readStop(&r, in: g),
                                  batchSize: batchSize)
    }

    /// The `metrics` list: each item a name, or a one-key mapping of a name to its options.
    private static func readMetrics(_ r: inout ConfigReader, in s: Section) -> [TaskMetric] {
        let expected = "a list of metrics (\(TaskMetric.knownNames.joined(separator: ", ")))"
        if case .null(let place) = r.lookup("metrics", in: s) {
            r.report(.wrongType(expected: expected, found: "null"), key: "sets.metrics", at: place)
            return []
        }
        guard let list = r.list("metrics", in: s, expected: expected) else { return [] }
        if list.items.isEmpty {
            r.report(.invalidValue(requirement: "must name at least one metric", found: "an empty list"),
                     key: "sets.metrics", at: list.place)
        }
        var metrics: [TaskMetric] = []
        for item in list.items {
            let place = ConfigPlace(item, orElse: list.place)
            guard let parsed = metricItem(item) else {
                r.report(.wrongType(expected: "a metric name, or a metric name with its options (- exact_match: {ignore_case: true})",
                                    found: ConfigReader.describe(item)), key: "sets.metrics", at: place)
                continue
            }
            let (name, options) = parsed
            guard TaskMetric.knownNames.contains(name) else {
                r.report(.invalidValue(requirement: "must be one of \(TaskMetric.knownNames.joined(separator: ", "))",
                                       found: "'\(name)'"), key: "sets.metrics", at: place)
                continue
            }
            guard !metrics.contains(where: { $0.name == name }) else {
                r.report(.invalidValue(requirement: "each metric may appear once in a set", found: "'\(name)' twice"),
                         key: "sets.metrics", at: place)
                continue
            }
            if let metric = readMetric(&r, name: name, options: options, place: place) { metrics.append(metric) }
        }
        return metrics
    }

    /// A `metrics` item's name and options node (nil: none given); nil when the item is neither a name
    /// nor a one-key mapping.
    private static func metricItem(_ item: ConfigNode) -> (name: String, options: ConfigNode?)? {
        if case .scalar(let scalar) = item, item.null == nil { return (scalar.string, nil) }
        guard case .mapping(let mapping) = item, mapping.count == 1, let pair = mapping.first,
              let name = pair.key.scalar?.string else { return nil }
        return (name, pair.value.null == nil ? pair.value : nil)
    }

    /// The metric `name` with its options node (nil: the defaults).
    private static func readMetric(_ r: inout ConfigReader, name: String, options: ConfigNode?,
                                   place: ConfigPlace) -> TaskMetric? {
        let key = "sets.metrics.\(name)"
        guard TaskMetric.namesTakingOptions.contains(name) else {
            if let options {
                r.report(.refused(reason: "\(name) takes no options; write it as '- \(name)'"), key: key,
                         at: ConfigPlace(options, orElse: place))
                return nil
            }
            return TaskMetric(name: name)
        }
        return readTextOptions(&r, options, key: key).flatMap { TaskMetric(name: name, options: $0) }
    }

    /// exact_match's and contains' options: `strip`, `ignore_case`, `ignore_punctuation` (true or false).
    private static func readTextOptions(_ r: inout ConfigReader, _ node: ConfigNode?, key: String) -> TextMatchOptions? {
        var options = TextMatchOptions()
        guard let node else { return options }
        guard case .mapping(let mapping) = node else {
            r.report(.wrongType(expected: "a mapping of options (\(TextMatchOptions.keys.joined(separator: ", ")))",
                                found: ConfigReader.describe(node)), key: key, at: ConfigPlace(node, orElse: .start))
            return nil
        }
        var valid = true
        for (keyNode, value) in mapping {
            let name = keyNode.scalar?.string ?? ConfigReader.describe(keyNode)
            let place = ConfigPlace(keyNode, orElse: .start)
            guard TextMatchOptions.keys.contains(name) else {
                if lmEvalOnlyOptions.contains(name) {
                    r.report(.refused(reason: "lm-evaluation-harness's exact_match has '\(name)', Quench does not; "
                                      + "normalise the references instead, or score with a regex metric"),
                             key: "\(key).\(name)", at: place)
                } else {
                    r.report(.unknownKey(suggestion: nil, known: TextMatchOptions.keys), key: "\(key).\(name)", at: place)
                }
                valid = false
                continue
            }
            let entry = ConfigReader.Entry(node: value, place: ConfigPlace(value, orElse: place))
            guard let on = r.parse(entry, key: "\(key).\(name)", expected: "true or false", requirement: .any,
                                   ConfigReader.boolean) else {
                valid = false
                continue
            }
            switch name {
            case "strip": options.strip = on
            case "ignore_case": options.ignoreCase = on
            default: options.ignorePunctuation = on
            }
        }
        return valid ? options : nil
    }

    /// `generation.stop`: up to 16 non-empty strings.
    private static func readStop(_ r: inout ConfigReader, in g: Section) -> [String] {
        guard let list = r.list("stop", in: g, expected: "a list of stop strings") else { return [] }
        if list.items.count > GenerationSettings.maximumStopSequences {
            r.report(.invalidValue(requirement: "must hold at most \(GenerationSettings.maximumStopSequences) stop strings",
                                   found: "\(list.items.count)"), key: "sets.generation.stop", at: list.place)
        }
        return list.items.compactMap { item in
            let entry = ConfigReader.Entry(node: item, place: ConfigPlace(item, orElse: list.place))
            guard item.null == nil else {
                r.report(.wrongType(expected: "text", found: "null"), key: "sets.generation.stop", at: entry.place)
                return nil
            }
            return r.parse(entry, key: "sets.generation.stop", expected: "text", requirement: .nonEmpty, ConfigReader.text)
        }
    }

    /// Checks a generative set's file and format: answers need references, so only a `.jsonl` file of
    /// chat or prompt/completion records (its format given or detected) will do.
    static func checkGenerativeFile(_ r: inout ConfigReader, url: URL, format: DatasetFormat?, in s: Section) {
        let needsReferences = "a generative set needs references"
        if format == .text {
            r.report(.refused(reason: "\(needsReferences): use format 'chat' or 'prompt_completion', or leave it out to "
                              + "detect it, found 'text'"),
                     key: "sets.format", at: r.places["sets.format"] ?? s.place)
        }
        let problem: String?
        do {
            try EvalSetSource(file: url).check()
            problem = url.pathExtension.lowercased() == "jsonl" ? nil : "a .txt file holds no references"
        } catch {
            problem = reason(error)
        }
        if let problem {
            r.report(.invalidValue(requirement: "must be a readable .jsonl file of chat or prompt_completion records "
                                   + "(\(needsReferences))", found: "\(url.path) (\(problem))"),
                     key: "sets.path", at: r.places["sets.path"] ?? s.place)
        }
    }

    /// The accuracy thresholds, each a mapping of metric name to number; every metric named must be
    /// computed by a generative set of the threshold's role.
    static func readAccuracyThresholds(_ r: inout ConfigReader, in s: Section, sets: [EvalSet], into t: inout Thresholds) {
        let unit = Requirement<Double>.unitClosed
        let signed = Requirement<Double>(text: "must be between -1 and 1", isMet: { $0 >= -1 && $0 <= 1 })
        let kinds: [(key: String, role: Role, requirement: Requirement<Double>, path: WritableKeyPath<Thresholds, [String: Double]>)] = [
            ("min_accuracy", .task, unit, \.minAccuracy),
            ("min_accuracy_gain", .task, signed, \.minAccuracyGain),
            ("max_accuracy_drop", .general, unit, \.maxAccuracyDrop),
        ]
        for kind in kinds {
            let entries = r.namedEntries(kind.key, in: s, expected: "a mapping of metric name to number, e.g. {json_fields: 0.8}")
            for (name, entry) in entries {
                let key = "thresholds.\(kind.key).\(name)"
                guard TaskMetric.knownNames.contains(name) else {
                    r.report(.unknownKey(suggestion: nil, known: TaskMetric.knownNames), key: key, at: entry.place)
                    continue
                }
                guard let value = r.parse(entry, key: key, expected: "a number (0.8 = 80%)", requirement: kind.requirement,
                                          ConfigReader.number) else { continue }
                t[keyPath: kind.path][name] = value
                let computed = sets.contains { set in
                    set.role == kind.role && (set.generation?.metrics.contains { $0.name == name } ?? false)
                }
                if !computed, !sets.isEmpty {
                    r.report(.invalidValue(requirement: "needs a generative set with role '\(kind.role.rawValue)' "
                                           + "computing \(name) to check", found: "none"), key: key, at: entry.place)
                }
            }
        }
    }
}
