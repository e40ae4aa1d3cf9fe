import Foundation

/// What the `quench registry` and `quench audit` commands and `quench run` need from a registry, whether it
/// is the embedded one (acting as the local user) or a server reached over HTTPS (acting as the token's user).
public protocol RegistryService {
    /// All versions, or those of `name`.
    func list(name: String?) throws -> [ModelVersion]
    func show(_ reference: VersionReference) throws -> ModelVersion
    /// Every alias move of `name`, oldest first.
    func aliasHistory(name: String) throws -> [AliasMove]
    func register(_ request: RegistrationRequest) throws -> ModelVersion
    func approve(_ reference: VersionReference, note: String?) throws -> ModelVersion
    func reject(_ reference: VersionReference, note: String?) throws -> ModelVersion
    func archive(_ reference: VersionReference, note: String?) throws -> ModelVersion
    func promote(_ reference: VersionReference, to alias: ModelAlias) throws -> AliasMove
    func rollback(name: String, alias: ModelAlias) throws -> AliasMove
    /// Re-hashes the version's files and checks its signature; returns it when intact.
    func verify(_ reference: VersionReference) throws -> ModelVersion
    func bom(_ reference: VersionReference, quenchVersion: String) throws -> JSONValue
    func auditLog() throws -> [AuditEntry]
    func verifyAudit() throws -> AuditVerification
}

extension Registry: RegistryService {}
