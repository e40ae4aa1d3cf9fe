import Foundation
import QuenchFiles

/// The registry's state as the audit log alone says it is: every version's status, registrar,
/// decision maker and review flag, and every alias holder, rebuilt by replaying the entries in order.
///
/// `audit verify` holds the state tables against it, so a row changed outside the registry (a direct
/// `UPDATE model_versions SET status = 'approved'`) is named with the difference, and it checks
/// separation of duties on the replay itself, so a log that records a self-approval is reported too.
public struct AuditReplay: Sendable, Equatable {
    /// One version as the log left it.
    public struct VersionState: Sendable, Equatable {
        public var status: VersionStatus
        public var createdBy: String
        public var decidedBy: String?
        public var reviewReason: String?
        /// The lineage's trainer, as the registration entry recorded it.
        public var trainedBy: String?
    }

    /// One API user as the log left it.
    public struct UserState: Sendable, Equatable {
        public var roles: [RegistryRole]
        public var revoked: Bool
    }

    /// Versions by subject (`name@version`).
    public private(set) var versions: [String: VersionState] = [:]
    /// Alias holders: model name → alias → version number.
    public private(set) var aliases: [String: [ModelAlias: Int]] = [:]
    /// A server's API users by name.
    public private(set) var users: [String: UserState] = [:]
    /// Entries the rules of the registry would not have written, each naming its position.
    public private(set) var violations: [String] = []

    /// Replays `entries` in order.
    public init(_ entries: [AuditEntry]) {
        for entry in entries { apply(entry) }
    }

    private mutating func apply(_ entry: AuditEntry) {
        let body = (try? JSONCoding.decoder.decode(JSONValue.self, from: Data(entry.body.utf8))) ?? .null
        let at = "entry \(entry.seq) (\(entry.action) \(entry.subject) by \(entry.actor))"
        guard let action = AuditAction(rawValue: entry.action) else { return violations.append("\(at): unknown action") }
        if action == .userAdd || action == .userRevoke { return applyUser(action, body: body, at: at) }
        if let missing = missingRole(of: entry.actor, for: action) { return violations.append("\(at): \(missing)") }
        guard var version = versions[entry.subject] else {
            guard action == .register else { return violations.append("\(at): no such version was registered") }
            versions[entry.subject] = VersionState(
                status: .pendingApproval, createdBy: entry.actor, trainedBy: body.field("trained_by")?.stringValue)
            return
        }
        switch action {
        case .register:
            return violations.append("\(at): the version was already registered")
        case .approve, .reject:
            guard version.status == .pendingApproval else {
                return violations.append("\(at): the version was \(version.status.rawValue), not pending_approval")
            }
            guard entry.actor != version.createdBy else {
                return violations.append("\(at): the registrar decided on their own version")
            }
            guard entry.actor != version.trainedBy else {
                return violations.append("\(at): the trainer decided on their own version")
            }
            version.status = action == .approve ? .approved : .rejected
            version.decidedBy = entry.actor
        case .archive:
            guard [.approved, .rejected].contains(version.status) else {
                return violations.append("\(at): the version was \(version.status.rawValue)")
            }
            version.status = .archived
        case .flagForReview:
            guard let reason = body.field("reason")?.stringValue else { return violations.append("\(at): the entry names no reason") }
            version.reviewReason = reason
        case .userAdd, .userRevoke:
            return
        case .promote, .rollback:
            guard version.status == .approved, version.reviewReason == nil else {
                return violations.append("\(at): the version was \(version.status.rawValue)\(version.reviewReason == nil ? "" : ", flagged for review")")
            }
            let parts = entry.subject.split(separator: "@")
            guard let alias = body.field("alias")?.stringValue.flatMap(ModelAlias.init(rawValue:)),
                  parts.count == 2, body.field("version")?.intValue == Int(parts[1])
            else { return violations.append("\(at): the entry names no known alias, or a version other than its subject") }
            aliases[String(parts[0]), default: [:]][alias] = Int(parts[1])
        }
        versions[entry.subject] = version
    }

    /// A server's user management: who exists with which roles, and who was revoked.
    private mutating func applyUser(_ action: AuditAction, body: JSONValue, at: String) {
        guard let name = body.field("name")?.stringValue else { return violations.append("\(at): the entry names no user") }
        if action == .userAdd {
            let names = body.field("roles")?.arrayValue?.compactMap(\.stringValue) ?? []
            let roles = names.compactMap(RegistryRole.init(rawValue:))
            guard !roles.isEmpty, roles.count == names.count else { return violations.append("\(at): the entry names no known roles") }
            if let existing = users[name], !existing.revoked { return violations.append("\(at): \(name) already existed") }
            users[name] = UserState(roles: RegistryIdentity(name: name, roles: roles, method: .apiToken).roles, revoked: false)
        } else {
            guard users[name]?.revoked == false else { return violations.append("\(at): \(name) was not an active user") }
            users[name]?.revoked = true
        }
    }

    /// For an actor the log made an API user: why it could not have done `action` (revoked, or without the
    /// role), or nil. Actors the log never made users (local users, OIDC identities) are not checked here.
    private func missingRole(of actor: String, for action: AuditAction) -> String? {
        guard let user = users[actor] else { return nil }
        if user.revoked { return "\(actor) was revoked" }
        let needed: [RegistryRole]
        switch action {
        case .register: needed = [.trainer, .admin]
        case .approve, .reject: needed = [.approver]
        case .promote, .rollback: needed = [.approver, .admin]
        case .archive, .flagForReview: needed = [.admin]
        case .userAdd, .userRevoke: return nil
        }
        guard user.roles.contains(where: needed.contains) else {
            return "\(actor) did not hold the role \(needed.map(\.rawValue).joined(separator: " or "))"
        }
        return nil
    }

    /// Where the stored users differ from the replay (a role granted or a revocation undone outside the registry).
    public func differences(from stored: [APIUser]) -> [String] {
        var found: [String] = []
        for user in stored {
            guard let replayed = users[user.name] else {
                found.append("user \(user.name) is stored but the audit log never created it")
                continue
            }
            let storedRoles = RegistryRole.storedText(user.roles), replayedRoles = RegistryRole.storedText(replayed.roles)
            if storedRoles != replayedRoles {
                found.append("user \(user.name): roles are \(storedRoles) in the state tables but \(replayedRoles) in the audit log")
            }
            if (user.revokedAt != nil) != replayed.revoked {
                found.append("user \(user.name): \(replayed.revoked ? "revoked" : "active") in the audit log but \(user.revokedAt == nil ? "active" : "revoked") in the state tables")
            }
        }
        return found
    }

    /// Where the stored versions differ from the replay, one sentence per difference.
    public func differences(from stored: [ModelVersion]) -> [String] {
        var found: [String] = []
        var seen: Set<String> = []
        for version in stored {
            seen.insert(version.subject)
            guard let replayed = versions[version.subject] else {
                found.append("\(version.subject) is stored but the audit log never registered it")
                continue
            }
            func compare(_ field: String, stored: String?, replayed: String?) {
                guard stored != replayed else { return }
                found.append("\(version.subject): \(field) is \(stored ?? "none") in the state tables but \(replayed ?? "none") in the audit log")
            }
            compare("status", stored: version.status.rawValue, replayed: replayed.status.rawValue)
            compare("created_by", stored: version.createdBy, replayed: replayed.createdBy)
            compare("decided_by", stored: version.decidedBy, replayed: replayed.decidedBy)
            compare("review_reason", stored: version.reviewReason, replayed: replayed.reviewReason)
            let holds = Set((aliases[version.name] ?? [:]).filter { $0.value == version.version }.map(\.key))
            compare("aliases", stored: Self.describe(Set(version.aliases)), replayed: Self.describe(holds))
        }
        for subject in versions.keys.sorted() where !seen.contains(subject) {
            found.append("\(subject) was registered in the audit log but is missing from the state tables")
        }
        return found
    }

    private static func describe(_ aliases: Set<ModelAlias>) -> String {
        aliases.isEmpty ? "none" : aliases.map(\.rawValue).sorted().joined(separator: ", ")
    }
}
