import Foundation
import QuenchFiles
import Yams

extension GovernancePolicy {
    /// The policy in the YAML file at `url`.
    /// - Throws: `GovernanceError` naming the file, line and key of the first problem.
    public static func load(contentsOf url: URL) throws -> GovernancePolicy {
        let text: String
        do {
            text = try RegularFile.text(of: url.path, limit: maximumFileSize)
        } catch {
            throw GovernanceError.unreadable(path: url.path, reason: error.reason)
        }
        return try parse(yaml: text, file: url.lastPathComponent)
    }

    /// A policy is a few dozen lines; anything far larger is not one.
    static let maximumFileSize = 1 << 20

    /// The policy in `yaml`; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws -> GovernancePolicy {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw GovernanceError.invalidPolicy(file: file, line: 1, key: "", reason: "not valid YAML: \(error)")
        }
        var policy = GovernancePolicy(defaultAction: .fail, actions: [:])
        guard let root else { return policy }
        let reader = PolicyReader(file: file)
        for (key, value) in try reader.mapping(root, key: "", known: ["pii", "data_checks", "retention"]) {
            switch key {
            case "pii":
                for (name, node) in try reader.mapping(value, key: "pii", known: ["default", "kinds"]) {
                    if name == "default" {
                        policy.defaultAction = try reader.action(node, key: "pii.default")
                        continue
                    }
                    for (kindName, actionNode) in try reader.mapping(node, key: "pii.kinds", known: nil) {
                        guard let kind = PIIKind(name: kindName) else {
                            throw GovernanceError.unknownKind(file: file, line: reader.line(actionNode), name: kindName,
                                                              known: PIIKind.knownNames)
                        }
                        policy.actions[kind] = try reader.action(actionNode, key: "pii.kinds.\(kindName)")
                    }
                }
            case "data_checks":
                for (name, node) in try reader.mapping(value, key: key, known: ["max_record_bytes", "near_duplicate_distance"]) {
                    let number = try reader.integer(node, key: "\(key).\(name)", range: name == "max_record_bytes" ? 1...(1 << 30) : 0...32)
                    if name == "max_record_bytes" { policy.checks.maximumRecordBytes = number }
                    else { policy.checks.nearDuplicateDistance = number }
                }
            default:
                let known = ["runs_days", "logs_days", "runs_directory", "logs_directory"]
                for (name, node) in try reader.mapping(value, key: key, known: known) {
                    switch name {
                    case "runs_days": policy.retention.runsDays = try reader.integer(node, key: "\(key).\(name)", range: 0...36_500)
                    case "logs_days": policy.retention.logsDays = try reader.integer(node, key: "\(key).\(name)", range: 0...36_500)
                    case "runs_directory": policy.retention.runsDirectory = try reader.string(node, key: "\(key).\(name)")
                    default: policy.retention.logsDirectory = try reader.string(node, key: "\(key).\(name)")
                    }
                }
            }
        }
        return policy
    }
}

/// Typed reads of composed YAML with errors that name the file, line and key.
private struct PolicyReader {
    let file: String

    func line(_ node: Node) -> Int { node.mark?.line ?? 1 }

    /// The pairs of a mapping, checking keys against `known` (nil: any key).
    func mapping(_ node: Node, key: String, known: [String]?) throws -> [(String, Node)] {
        guard let mapping = node.mapping else {
            throw GovernanceError.invalidPolicy(file: file, line: line(node), key: key, reason: "expected a mapping")
        }
        return try mapping.map { keyNode, value in
            guard let name = keyNode.string else {
                throw GovernanceError.invalidPolicy(file: file, line: line(keyNode), key: key, reason: "keys must be strings")
            }
            if let known, !known.contains(name) {
                let full = key.isEmpty ? name : "\(key).\(name)"
                throw GovernanceError.invalidPolicy(file: file, line: line(keyNode), key: full,
                                                    reason: "unknown key; known keys: \(known.joined(separator: ", "))")
            }
            return (name, value)
        }
    }

    func string(_ node: Node, key: String) throws -> String {
        guard let text = node.scalar?.string, !text.isEmpty else {
            throw GovernanceError.invalidPolicy(file: file, line: line(node), key: key, reason: "expected a non-empty string")
        }
        return text
    }

    func integer(_ node: Node, key: String, range: ClosedRange<Int>) throws -> Int {
        guard let number = node.scalar.flatMap({ Int($0.string) }), range.contains(number) else {
            throw GovernanceError.invalidPolicy(file: file, line: line(node), key: key,
                                                reason: "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func action(_ node: Node, key: String) throws -> PolicyAction {
        let name = try string(node, key: key)
        guard let action = PolicyAction(rawValue: name) else {
            throw GovernanceError.unknownAction(file: file, line: line(node), key: key, name: name, known: PolicyAction.knownNames)
        }
        return action
    }
}
