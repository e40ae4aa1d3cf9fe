import QuenchTokenizer

/// One training record as read from a JSONL line, before tokenization.
public enum DatasetRecord: Sendable, Equatable {
    case text(String)
    case promptCompletion(prompt: String, completion: String)
    case chat([ChatMessage])

    /// The roles a chat record may use: the ones every chat template renders.
    public static let knownRoles = ["system", "user", "assistant"]

    /// Reads a record of `format` from a parsed JSON object, naming `file`, `line` and the key on error.
    init(object: [String: Any], format: DatasetFormat, file: String, line: Int) throws {
        func string(_ value: Any?, key: String) throws -> String {
            guard let value else {
                throw DatasetError.missingKey(file: file, line: line, key: key, format: format.rawValue)
            }
            guard let text = value as? String else {
                throw DatasetError.wrongType(file: file, line: line, key: key, expected: "a string")
            }
            return text
        }
        switch format {
        case .text:
            self = .text(try string(object["text"], key: "text"))
        case .promptCompletion:
            self = .promptCompletion(prompt: try string(object["prompt"], key: "prompt"),
                                     completion: try string(object["completion"], key: "completion"))
        case .chat:
            guard let value = object["messages"] else {
                throw DatasetError.missingKey(file: file, line: line, key: "messages", format: format.rawValue)
            }
            guard let list = value as? [Any], !list.isEmpty else {
                throw DatasetError.wrongType(file: file, line: line, key: "messages",
                                             expected: "a non-empty array of {\"role\", \"content\"} objects")
            }
            self = .chat(try list.enumerated().map { index, item in
                let key = "messages[\(index)]"
                guard let message = item as? [String: Any] else {
                    throw DatasetError.wrongType(file: file, line: line, key: key,
                                                 expected: "an object with 'role' and 'content'")
                }
                let role = try string(message["role"], key: key + ".role")
                guard Self.knownRoles.contains(role) else {
                    throw DatasetError.unknownRole(file: file, line: line, key: key + ".role", role: role,
                                                   known: Self.knownRoles)
                }
                return ChatMessage(role: role, content: try string(message["content"], key: key + ".content"))
            })
        }
    }
}
