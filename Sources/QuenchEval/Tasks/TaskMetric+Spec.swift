import QuenchGate

extension TaskMetric {
    /// The options a command-line spec may name after the colon; `no_strip` turns the default strip off.
    public static let specOptions = ["strip", "no_strip", "ignore_case", "ignore_punctuation"]

    /// A metric from a command-line spec: a name, or a name and options after a colon
    /// (`exact_match:ignore_case,ignore_punctuation`, `contains:no_strip`). Options apply to
    /// exact_match and contains only.
    /// - Throws: `EvalError.invalidSetting` naming the unknown metric or option.
    public init(spec: String) throws {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        let optionNames = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
        var options = TextMatchOptions()
        for option in optionNames {
            switch option {
            case "strip": options.strip = true
            case "no_strip": options.strip = false
            case "ignore_case": options.ignoreCase = true
            case "ignore_punctuation": options.ignorePunctuation = true
            default:
                throw EvalError.invalidSetting(key: "metric", reason: "unknown option '\(option)' in '\(spec)'; "
                                               + "known: \(Self.specOptions.joined(separator: ", "))")
            }
        }
        guard let metric = TaskMetric(name: name, options: options) else {
            throw EvalError.invalidSetting(key: "metric", reason: "unknown metric '\(name)'; known: "
                                           + TaskMetric.knownNames.joined(separator: ", "))
        }
        guard optionNames.isEmpty || Self.namesTakingOptions.contains(name) else {
            throw EvalError.invalidSetting(key: "metric", reason: "\(name) takes no options ('\(spec)')")
        }
        self = metric
    }
}
