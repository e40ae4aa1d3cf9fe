/// The JSONL record layouts Quench trains on, as a closed registry mapped from config strings.
public enum DatasetFormat: String, Sendable, Codable, CaseIterable {
    /// `{"text": ...}`: every token is a training target.
    case text
    /// `{"prompt": ..., "completion": ...}`: only the completion (and EOS) is a target.
    case promptCompletion = "prompt_completion"
    /// `{"messages": [{"role": ..., "content": ...}, ...]}`: only the assistant turns are targets.
    case chat

    /// The config names, for error messages.
    public static let knownNames = allCases.map(\.rawValue)

    /// The format a config string names.
    /// - Throws: `DatasetError.unknownFormat` listing the known names.
    public init(name: String) throws {
        guard let format = DatasetFormat(rawValue: name) else {
            throw DatasetError.unknownFormat(name: name, known: Self.knownNames)
        }
        self = format
    }

    /// The keys a record of this format must hold.
    public var requiredKeys: [String] {
        switch self {
        case .text: return ["text"]
        case .promptCompletion: return ["prompt", "completion"]
        case .chat: return ["messages"]
        }
    }

    /// The format whose required keys a record holds; other keys (ids, sources) are allowed.
    /// - Throws: `DatasetError.undetectableFormat` when none fits, `.ambiguousFormat` when several do.
    static func detect(keys: Set<String>, file: String, line: Int) throws -> DatasetFormat {
        let fitting = allCases.filter { $0.requiredKeys.allSatisfy(keys.contains) }
        guard let format = fitting.first else {
            throw DatasetError.undetectableFormat(file: file, line: line, keys: keys.sorted())
        }
        guard fitting.count == 1 else {
            throw DatasetError.ambiguousFormat(file: file, line: line, formats: fitting.map(\.rawValue))
        }
        return format
    }
}
