import Foundation

/// The embedded registry acting as the local user: the same rules, with the identity asserted by the
/// OS user and the roles file. Separation of duties here is advisory; a registry server enforces it.
extension Registry {
    /// The local actor (`QUENCH_ACTOR` only for a service account this OS user may act as) with its roles.
    /// - Throws: `RegistryError.localIdentityOnServer` for a server's registry, which acts only for authenticated users.
    public func localIdentity() throws -> RegistryIdentity {
        guard case .local(let config, let environment) = identities else { throw RegistryError.localIdentityOnServer }
        let actor = try RegistryActor.resolve(config: config, environment: environment)
        return RegistryIdentity(name: actor, roles: config.roles[actor] ?? [], method: .local)
    }

    /// Registers as the local user.
    public func register(_ request: RegistrationRequest) throws -> ModelVersion {
        try register(request, by: localIdentity())
    }

    /// Approves as the local user.
    @discardableResult
    public func approve(_ reference: VersionReference, note: String? = nil) throws -> ModelVersion {
        try approve(reference, note: note, by: localIdentity())
    }

    /// Rejects as the local user.
    @discardableResult
    public func reject(_ reference: VersionReference, note: String? = nil) throws -> ModelVersion {
        try reject(reference, note: note, by: localIdentity())
    }

    /// Archives as the local user.
    @discardableResult
    public func archive(_ reference: VersionReference, note: String? = nil) throws -> ModelVersion {
        try archive(reference, note: note, by: localIdentity())
    }

    /// Flags for review as the local user.
    @discardableResult
    public func markForReview(version reference: VersionReference, reason: String) throws -> ModelVersion {
        try markForReview(version: reference, reason: reason, by: localIdentity())
    }

    /// Promotes as the local user.
    @discardableResult
    public func promote(_ reference: VersionReference, to alias: ModelAlias) throws -> AliasMove {
        try promote(reference, to: alias, by: localIdentity())
    }

    /// Rolls back as the local user.
    @discardableResult
    public func rollback(name: String, alias: ModelAlias) throws -> AliasMove {
        try rollback(name: name, alias: alias, by: localIdentity())
    }
}
