import Foundation

extension Registry {
    /// Points `alias` of the version's name at it, after re-verifying its files and signature; with an
    /// `expectedHolder`, only while the alias still points where the caller saw it (else `aliasMoved`).
    @discardableResult
    public func promote(
        _ reference: VersionReference, to alias: ModelAlias, expectedHolder: AliasExpectation = .any, by identity: RegistryIdentity
    ) throws -> AliasMove {
        try authorize(identity, "promote", roles: [.approver, .admin])
        let actor = identity.name
        let candidate = try store.read { try Self.existing(reference, in: $0) }
        try Self.requirePromotable(candidate)
        try verify(candidate)
        return try change { access in
            let version = try Self.existing(reference, in: access)
            try Self.requirePromotable(version)
            let holder = try access.aliasHolder(name: version.name, alias: alias)
            if case .holder(let expected) = expectedHolder, expected != holder {
                throw RegistryError.aliasMoved(name: version.name, alias: alias.rawValue, expected: expected, found: holder)
            }
            if holder == version.version { throw RegistryError.aliasHeld(subject: version.subject, alias: alias.rawValue) }
            let move = AliasMove(
                name: version.name, alias: alias, version: version.version, previousVersion: holder, action: "promote",
                actor: actor, at: Timestamp.string())
            try access.record(move)
            return (move, try access.append(Self.event(for: move)))
        }
    }

    /// Moves `alias` back to the version that held it before the current holder, re-verifying that version.
    @discardableResult
    public func rollback(name: String, alias: ModelAlias, by identity: RegistryIdentity) throws -> AliasMove {
        try authorize(identity, "roll back", roles: [.approver, .admin])
        let actor = identity.name
        let planned = try store.read { try Self.rollbackPlan(name: name, alias: alias, in: $0) }
        let target = try store.read { try Self.existing(VersionReference(name: name, version: planned.target), in: $0) }
        try Self.requirePromotable(target)
        try verify(target)
        return try change { access in
            let plan = try Self.rollbackPlan(name: name, alias: alias, in: access)
            guard plan == planned else {
                throw RegistryError.storeFailure(operation: "roll back \(name) \(alias.rawValue)", reason: "the alias moved while verifying; run the rollback again")
            }
            try Self.requirePromotable(try Self.existing(VersionReference(name: name, version: plan.target), in: access))
            let move = AliasMove(
                name: name, alias: alias, version: plan.target, previousVersion: plan.targetsPrevious, action: "rollback",
                actor: actor, at: Timestamp.string())
            try access.record(move)
            return (move, try access.append(Self.event(for: move)))
        }
    }

    /// Every alias move of `name`, oldest first.
    public func aliasHistory(name: String) throws -> [AliasMove] {
        try store.read { try $0.aliasHistory(name: name) }
    }

    /// Where a rollback goes: the holder before the current one, and the holder before that
    /// (so a second rollback keeps walking back).
    private struct RollbackPlan: Equatable {
        var current: Int
        var target: Int
        var targetsPrevious: Int?
    }

    private static func rollbackPlan(name: String, alias: ModelAlias, in access: any RegistryStoreReader) throws -> RollbackPlan {
        guard let current = try access.aliasHolder(name: name, alias: alias) else {
            throw RegistryError.aliasHasNoHistory(name: name, alias: alias.rawValue)
        }
        let moves = try access.aliasHistory(name: name).filter { $0.alias == alias }
        guard let establishing = moves.lastIndex(where: { $0.version == current }),
              let target = moves[establishing].previousVersion
        else { throw RegistryError.aliasHasNoHistory(name: name, alias: alias.rawValue) }
        let targetsPrevious = moves[..<establishing].last { $0.version == target }?.previousVersion
        return RollbackPlan(current: current, target: target, targetsPrevious: targetsPrevious)
    }

    private static func requirePromotable(_ version: ModelVersion) throws {
        try require(version, in: [.approved], for: "promote")
        if let reason = version.reviewReason { throw RegistryError.flaggedForReview(subject: version.subject, reason: reason) }
    }

    private static func event(for move: AliasMove) -> AuditEvent {
        AuditEvent(
            actor: move.actor, action: move.action == "rollback" ? .rollback : .promote, subject: "\(move.name)@\(move.version)",
            body: .object([
                "alias": .string(move.alias.rawValue), "version": .int(move.version),
                "previous_version": move.previousVersion.map(JSONValue.int) ?? .null,
            ]))
    }
}
