import Foundation
import QuenchFiles
import QuenchSecurity

/// The model registry: which versions exist, who approved them, what serves where, and the audit trail proving it.
public final class Registry: Sendable {
    /// Where the identities acting on a registry come from.
    enum IdentitySource: Sendable {
        /// The embedded registry: the OS user (or a service account) with the roles of a roles file. Advisory:
        /// whoever can edit the file or the database can change both.
        case local(RegistryConfig, environment: [String: String])
        /// A registry server: API users in the store, authenticated by the server before it calls in.
        case server
    }

    public let home: URL
    let identities: IdentitySource
    let store: any RegistryStore
    let artifacts: ArtifactStore
    let signer: any ArtifactSigner
    let signingKey: SigningKey
    public let checkpoints: CheckpointLog

    /// Opens the embedded registry in `home` (default `$QUENCH_HOME`) with the roles config at `config`
    /// (default `$QUENCH_REGISTRY_CONFIG`, else `configs/registry.yaml`), signing with `signer`
    /// (default: OpenSSF model signing with the registry key). `environment` names the actor
    /// (`QUENCH_ACTOR`, `USER`); tests inject it to act as several people.
    public static func open(
        home: URL?, config: URL?, signer: (any ArtifactSigner)? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Registry {
        let layout = home.map(QuenchHome.init(root:)) ?? QuenchHome.resolve(environment: environment)
        let loaded = try RegistryConfig.load(from: RegistryConfig.location(explicit: config, environment: environment))
        let key = try SigningKey.load(from: loaded.signingKey ?? layout.signingKey)
        let store = try SQLiteRegistryStore(url: layout.registryDatabase)
        return Registry(
            home: layout, identities: .local(loaded, environment: environment), store: store,
            signer: signer ?? OpenSSFSigner(key: key), signingKey: key)
    }

    /// Opens the registry a server runs in `home` over `store`: identities are API users in the store, and the
    /// signing key (`keys/signing.key`, created 0600 at first start) never leaves the server.
    public static func openServer(home: URL, store: any RegistryStore) throws -> Registry {
        let layout = QuenchHome(root: home)
        if !FileManager.default.fileExists(atPath: layout.signingKey.path) {
            do {
                _ = try SigningKeys.createKeyPair(in: layout.keys)
            } catch {
                throw RegistryError.signingKeyInvalid(path: layout.signingKey.path, reason: "cannot create it: \(error)")
            }
        }
        let key = try SigningKey.load(from: layout.signingKey)
        return Registry(home: layout, identities: .server, store: store, signer: OpenSSFSigner(key: key), signingKey: key)
    }

    init(home: QuenchHome, identities: IdentitySource, store: any RegistryStore, signer: any ArtifactSigner, signingKey: SigningKey) {
        self.home = home.root
        self.identities = identities
        self.store = store
        self.artifacts = ArtifactStore(home: home)
        self.signer = signer
        self.signingKey = signingKey
        self.checkpoints = CheckpointLog(url: home.auditCheckpoints)
    }

    /// Checks that `identity` holds one of `roles` for `action`.
    func authorize(_ identity: RegistryIdentity, _ action: String, roles: [RegistryRole]) throws {
        guard identity.holdsAny(of: roles) else {
            let grant: String
            switch identities {
            case .local(let config, _): grant = "grant it under roles in \(config.source)"
            case .server: grant = "ask the registry's administrator to grant it (quench registry users add on the server)"
            }
            throw RegistryError.permissionDenied(actor: identity.name, action: action, needs: roles.map(\.rawValue), grant: grant)
        }
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
