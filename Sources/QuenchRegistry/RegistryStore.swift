import Foundation

/// The registry's storage seam: SQLite embedded, or PostgreSQL shared by a team's server.
///
/// Every state change happens inside one `write` transaction, which must be serializable
/// across processes: the registry reads the current state, checks its rules, and writes the
/// change and its audit entry together, so no rule can be raced past.
public protocol RegistryStore: Sendable {
    /// Runs `body` on a consistent snapshot.
    func read<T>(_ body: (any RegistryStoreReader) throws -> T) throws -> T
    /// Runs `body` in a serialized write transaction; a thrown error rolls everything back.
    func write<T>(_ body: (any RegistryStoreWriter) throws -> T) throws -> T
}

/// Queries available inside a read or write transaction.
public protocol RegistryStoreReader {
    func version(name: String, version: Int) throws -> ModelVersion?
    /// All versions, or those of `name`, ordered by name then version.
    func versions(name: String?) throws -> [ModelVersion]
    func versions(withDatasetFingerprint fingerprint: String) throws -> [ModelVersion]
    /// The version holding `alias` of `name`, if any.
    func aliasHolder(name: String, alias: ModelAlias) throws -> Int?
    /// Every move of the aliases of `name`, oldest first.
    func aliasHistory(name: String) throws -> [AliasMove]
    /// The audit log in stored order.
    func auditEntries() throws -> [AuditEntry]
    /// The recorded leaf hashes (hex) in log order: what consistency proofs are built from.
    func auditLeafHashes() throws -> [String]
    /// The API user of that name, revoked or not.
    func user(named name: String) throws -> StoredUser?
    /// The API user whose token hashes to `tokenSHA256`, revoked or not.
    func user(withTokenSHA256 tokenSHA256: String) throws -> StoredUser?
    /// Every API user, by name.
    func users() throws -> [StoredUser]
}

/// Changes available inside a write transaction.
public protocol RegistryStoreWriter: RegistryStoreReader {
    /// One more than the highest version of `name` ever registered.
    func nextVersionNumber(name: String) throws -> Int
    func insert(_ version: ModelVersion) throws
    /// Stores the status, decision and review fields of an existing version.
    func updateState(of version: ModelVersion) throws
    /// Points the alias at the move's version and records the move in the alias history.
    func record(_ move: AliasMove) throws
    /// Appends the event to the audit log and returns the tree head that now covers it.
    func append(_ event: AuditEvent) throws -> TreeHead
    /// Inserts the user, or replaces the row of that name (a new token, roles or revocation).
    func save(_ user: StoredUser) throws
}
