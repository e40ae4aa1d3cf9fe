import Foundation

/// The state changes the audit log records.
public enum AuditAction: String, Codable, Sendable, CaseIterable {
    case register, approve, reject, promote, rollback, archive
    case flagForReview = "flag_for_review"
    /// A server's API user was created (or re-created after revocation) with roles.
    case userAdd = "user_add"
    case userRevoke = "user_revoke"
}

/// One appended audit record; its leaf hash commits to every field, including its position.
public struct AuditEntry: Codable, Sendable, Equatable {
    /// 1-based position in the log.
    public var seq: Int
    /// ISO 8601 UTC.
    public var at: String
    public var actor: String
    public var action: String
    /// Usually `name@version`.
    public var subject: String
    /// Canonical JSON text of the event's details.
    public var body: String
    /// Hex RFC 6962 leaf hash as recorded when the entry was appended.
    public var leafHash: String

    enum CodingKeys: String, CodingKey {
        case seq, at, actor, action, subject, body, leafHash = "leaf_hash"
    }

    /// The bytes hashed into the tree: canonical JSON of all fields but the hash itself.
    ///
    /// The body is embedded as parsed JSON so a re-encoding with the same meaning hashes the same;
    /// a body that is no longer JSON is embedded as a string, which can never match.
    public static func leafData(seq: Int, at: String, actor: String, action: String, subject: String, body: String) -> Data {
        let parsedBody = (try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))) ?? .string(body)
        let value = JSONValue.object([
            "seq": .int(seq), "at": .string(at), "actor": .string(actor), "action": .string(action),
            "subject": .string(subject), "body": parsedBody,
        ])
        return Data(value.canonical.utf8)
    }

    /// The leaf hash recomputed from the fields as they are now.
    public var recomputedLeafHash: String {
        MerkleTree.leafHash(Self.leafData(seq: seq, at: at, actor: actor, action: action, subject: subject, body: body)).hex
    }
}

/// An audit event not yet appended: the registry builds it, the store numbers and hashes it.
public struct AuditEvent: Sendable {
    public var actor: String
    public var action: AuditAction
    public var subject: String
    public var body: JSONValue

    public init(actor: String, action: AuditAction, subject: String, body: JSONValue) {
        self.actor = actor
        self.action = action
        self.subject = subject
        self.body = body
    }
}

/// The tree after an append, which the registry signs into a checkpoint once the change commits.
public struct TreeHead: Sendable, Equatable {
    public var size: Int
    /// Hex root hash.
    public var root: String
}
