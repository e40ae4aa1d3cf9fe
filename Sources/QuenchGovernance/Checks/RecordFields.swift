import QuenchData

/// Why a JSON object is not a record of its format.
struct RecordProblem: Error {
    let detail: String
}

/// Reads the training texts of a parsed JSONL record, per format, as the trainer will read them.
enum RecordFields {
    /// The declared format, or the single format whose required keys the object holds.
    static func format(of object: [String: Any], declared: DatasetFormat?) -> Result<DatasetFormat, RecordProblem> {
        if let declared { return .success(declared) }
        let fitting = DatasetFormat.allCases.filter { $0.requiredKeys.allSatisfy { object[$0] != nil } }
        guard fitting.count == 1, let format = fitting.first else {
            let keys = object.keys.sorted().joined(separator: ", ")
            return .failure(RecordProblem(detail: fitting.isEmpty
                ? "keys [\(keys)] fit no format; expected 'text', 'prompt' and 'completion', or 'messages'"
                : "keys fit several formats (\(fitting.map(\.rawValue).joined(separator: ", "))); declare the format"))
        }
        return .success(format)
    }

    /// The record's texts in order: the text; prompt and completion; or role and content of each message.
    static func texts(of object: [String: Any], format: DatasetFormat) -> Result<[String], RecordProblem> {
        func string(_ value: Any?, _ key: String) -> Result<String, RecordProblem> {
            guard let value else { return .failure(RecordProblem(detail: "missing key '\(key)' required by the \(format.rawValue) format")) }
            guard let text = value as? String else { return .failure(RecordProblem(detail: "key '\(key)' must be a string")) }
            return .success(text)
        }
        switch format {
        case .text:
            return string(object["text"], "text").map { [$0] }
        case .promptCompletion:
            return string(object["prompt"], "prompt").flatMap { prompt in
                string(object["completion"], "completion").map { [prompt, $0] }
            }
        case .chat:
            guard let messages = object["messages"] as? [Any], !messages.isEmpty else {
                return .failure(RecordProblem(detail: "key 'messages' must be a non-empty array of {\"role\", \"content\"} objects"))
            }
            var texts: [String] = []
            for (position, item) in messages.enumerated() {
                let key = "messages[\(position)]"
                guard let message = item as? [String: Any] else {
                    return .failure(RecordProblem(detail: "\(key) must be an object with 'role' and 'content'"))
                }
                switch (string(message["role"], key + ".role"), string(message["content"], key + ".content")) {
                case (.success(let role), .success(let content)):
                    guard DatasetRecord.knownRoles.contains(role) else {
                        return .failure(RecordProblem(detail: "\(key).role '\(role)' is not one of \(DatasetRecord.knownRoles.joined(separator: ", "))"))
                    }
                    texts += [role, content]
                case (.failure(let problem), _), (_, .failure(let problem)):
                    return .failure(problem)
                }
            }
            return .success(texts)
        }
    }

    /// False when every trained text is empty or whitespace (roles do not count).
    static func hasContent(_ texts: [String], format: DatasetFormat) -> Bool {
        let trained = format == .chat ? texts.enumerated().filter { $0.offset % 2 == 1 }.map(\.element) : texts
        return trained.contains { !$0.allSatisfy(\.isWhitespace) }
    }
}
