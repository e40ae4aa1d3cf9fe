import Foundation

extension Registry {
    /// Approves a pending version; the approver must hold `approver` and be neither its registrar nor its trainer.
    @discardableResult
    public func approve(_ reference: VersionReference, note: String?, by identity: RegistryIdentity) throws -> ModelVersion {
        try decide(reference, to: .approved, action: .approve, note: note, by: identity)
    }

    /// Rejects a pending version, under the same separation-of-duties rule as approval.
    @discardableResult
    public func reject(_ reference: VersionReference, note: String?, by identity: RegistryIdentity) throws -> ModelVersion {
        try decide(reference, to: .rejected, action: .reject, note: note, by: identity)
    }

    /// Retires an approved or rejected version; a version still holding an alias cannot be archived.
    @discardableResult
    public func archive(_ reference: VersionReference, note: String?, by identity: RegistryIdentity) throws -> ModelVersion {
        try authorize(identity, "archive", roles: [.admin])
        let actor = identity.name
        return try change { access in
            var version = try Self.existing(reference, in: access)
            try Self.require(version, in: [.approved, .rejected], for: "archive")
            if let alias = version.aliases.first { throw RegistryError.aliasHeld(subject: version.subject, alias: alias.rawValue) }
            let previous = version.status
            version.status = .archived
            try access.updateState(of: version)
            let head = try access.append(AuditEvent(actor: actor, action: .archive, subject: version.subject, body: .object([
                "from": .string(previous.rawValue), "note": note.map(JSONValue.string) ?? .null,
            ])))
            return (version, head)
        }
    }

    /// Flags a version for review (e.g. its training data was erased); a flagged version cannot be promoted.
    @discardableResult
    public func markForReview(version reference: VersionReference, reason: String, by identity: RegistryIdentity) throws -> ModelVersion {
        try authorize(identity, "flag for review", roles: [.admin])
        let actor = identity.name
        return try change { access in
            var version = try Self.existing(reference, in: access)
            version.reviewReason = reason
            try access.updateState(of: version)
            let head = try access.append(AuditEvent(actor: actor, action: .flagForReview, subject: version.subject, body: .object([
                "reason": .string(reason), "status": .string(version.status.rawValue),
            ])))
            return (version, head)
        }
    }

    private func decide(
        _ reference: VersionReference, to status: VersionStatus, action: AuditAction, note: String?, by identity: RegistryIdentity
    ) throws -> ModelVersion {
        try authorize(identity, action.rawValue, roles: [.approver])
        let actor = identity.name
        return try change { access in
            var version = try Self.existing(reference, in: access)
            try Self.require(version, in: [.pendingApproval], for: action.rawValue)
            guard version.createdBy != actor else { throw RegistryError.selfApproval(actor: actor, subject: version.subject) }
            if version.lineage.trainedBy == actor {
                throw RegistryError.trainerApproval(actor: actor, subject: version.subject)
            }
            version.status = status
            version.decidedBy = actor
            version.decidedAt = Timestamp.string()
            version.decisionNote = note
            try access.updateState(of: version)
            let head = try access.append(AuditEvent(actor: actor, action: action, subject: version.subject, body: .object([
                "created_by": .string(version.createdBy), "status": .string(status.rawValue),
                "note": note.map(JSONValue.string) ?? .null,
            ])))
            return (version, head)
        }
    }

    /// Throws `invalidTransition` unless the version is in one of `allowed`.
    static func require(_ version: ModelVersion, in allowed: [VersionStatus], for action: String) throws {
        guard allowed.contains(version.status) else {
            throw RegistryError.invalidTransition(
                subject: version.subject, action: action, from: version.status.rawValue, allowed: allowed.map(\.rawValue))
        }
    }
}
