import Foundation
import QuenchFiles

/// The model registry: which versions exist, who approved them, what serves where, and the audit trail proving it.
public final class Registry: Sendable {
    public let home: URL
    public let config: RegistryConfig
    let store: any RegistryStore
    let artifacts: ArtifactStore
    let signer: any ArtifactSigner
    let signingKey: SigningKey
    public let checkpoints: CheckpointLog
    /// Environment read for the actor (`QUENCH_ACTOR`, `USER`); injectable so tests can act as several people.
    let environment: [String: String]

    /// Opens the registry in `home` (default `$QUENCH_HOME`) with the roles config at `config`
    /// (default `$QUENCH_REGISTRY_CONFIG`, else `configs/registry.yaml`), signing with `signer`
    /// (default: OpenSSF model signing with the registry key).
    public static func open(
        home: URL?, config: URL?, signer: (any ArtifactSigner)? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Registry {
        let layout = home.map(QuenchHome.init(root:)) ?? QuenchHome.resolve(environment: environment)
        let loaded = try RegistryConfig.load(from: RegistryConfig.location(explicit: config, environment: environment))
        let key = try SigningKey.load(from: loaded.signingKey ?? layout.signingKey)
        let store = try SQLiteRegistryStore(url: layout.registryDatabase)
        return Registry(
            home: layout.root, config: loaded, store: store, signer: signer ?? OpenSSFSigner(key: key), signingKey: key,
            environment: environment)
    }

    init(
        home: URL, config: RegistryConfig, store: any RegistryStore, signer: any ArtifactSigner,
        signingKey: SigningKey, environment: [String: String]
    ) {
        self.home = home
        self.config = config
        self.store = store
        self.artifacts = ArtifactStore(home: QuenchHome(root: home))
        self.signer = signer
        self.signingKey = signingKey
        self.checkpoints = CheckpointLog(url: QuenchHome(root: home).auditCheckpoints)
        self.environment = environment
    }

    /// The actor for this process, per the config's service-account rules.
    public func actor() throws -> String {
        try RegistryActor.resolve(config: config, environment: environment)
    }

    /// Resolves the actor and checks it holds one of `roles` for `action`.
    func authorize(_ action: String, roles: [RegistryRole]) throws -> String {
        let actor = try actor()
        guard config.user(actor, holdsAnyOf: roles) else {
            throw RegistryError.permissionDenied(actor: actor, action: action, needs: roles.map(\.rawValue), config: config.source)
        }
        return actor
    }

    /// Runs a state change and its audit entry in one transaction, then signs a checkpoint of the new tree.
    ///
    /// The checkpoint is written after the commit: a crash in between leaves an entry that
    /// `audit verify` reports as not covered, never a checkpoint for an entry that does not exist.
    func change<T>(_ body: (any RegistryStoreWriter) throws -> (T, TreeHead)) throws -> T {
        let (result, head) = try store.write(body)
        try checkpoints.append(try AuditCheckpoint.sign(head, with: signingKey))
        return result
    }

    /// Reads one version or throws `versionNotFound`.
    static func existing(_ reference: VersionReference, in access: any RegistryStoreReader) throws -> ModelVersion {
        guard let version = try access.version(name: reference.name, version: reference.version) else {
            throw RegistryError.versionNotFound(reference.description)
        }
        return version
    }
}
