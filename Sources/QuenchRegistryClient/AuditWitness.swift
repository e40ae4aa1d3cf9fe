import Crypto
import Foundation
import QuenchFiles
import QuenchRegistry

/// A client's independent memory of one registry's audit log: it pins the registry's public key on first
/// use (or takes it from `QUENCH_REGISTRY_PUBLIC_KEY`), and accepts each newer signed checkpoint only with
/// an RFC 6962 consistency proof from the last one it saw, so whoever runs the server cannot truncate or
/// rewrite the log without every client noticing.
///
/// The registry client calls `observe` before each command with what it fetched from the server.
public struct AuditWitness: Sendable {
    /// The registry's normalized URL.
    public let url: String
    /// Where this client's state for the registry is kept.
    public let stateFile: URL
    /// A public key the user configured for the registry, PEM; it takes precedence over pinning on first use.
    public let configuredKeyPEM: String?

    /// The largest public-key file read.
    static let keyFileLimit = 64 << 10

    /// A witness of the registry at `url` keeping its state in `stateFile`.
    public init(url: URL, stateFile: URL, configuredKeyPEM: String? = nil) {
        self.url = RegistryURL.normalized(url)
        self.stateFile = stateFile
        self.configuredKeyPEM = configuredKeyPEM
    }

    /// The witness of the registry at `url` as the environment sets it up: state under XDG_STATE_HOME (or
    /// ~/.local/state), the key pinned by the PEM file named by `QUENCH_REGISTRY_PUBLIC_KEY` when it is set.
    public static func forRegistry(_ url: URL, environment: [String: String]) throws(RegistryClientError) -> AuditWitness {
        let normalized = RegistryURL.normalized(url)
        var configured: String?
        if let path = environment["QUENCH_REGISTRY_PUBLIC_KEY"], !path.isEmpty {
            do {
                configured = try RegularFile.text(of: path, limit: keyFileLimit)
            } catch {
                throw .publicKeyInvalid(source: "QUENCH_REGISTRY_PUBLIC_KEY \(path)", reason: error.reason)
            }
        }
        return AuditWitness(url: url, stateFile: WitnessState.location(for: normalized, environment: environment), configuredKeyPEM: configured)
    }

    /// What this client remembers about the registry; nil before the first `observe`.
    public func state() throws(RegistryClientError) -> WitnessState? {
        try WitnessState.read(from: stateFile, url: url)
    }

    /// Checks what the registry says now against what this client saw before, then remembers it.
    ///
    /// The key must be the pinned one, `checkpoint` (nil when the registry's log is empty) must be signed by
    /// it, and the log must extend the last remembered checkpoint: `proof(first, second)` is called to fetch
    /// the consistency proof (hex) between the two tree sizes when the log grew. On any failure the state
    /// file is left as it was.
    /// - Returns: the state as now remembered.
    public func observe(
        checkpoint: AuditCheckpoint?, publicKeyPEM: String, proof: (_ first: Int, _ second: Int) throws -> [String]
    ) throws -> WitnessState {
        let previous = try state()
        let offered = try Self.parse(publicKeyPEM, source: "the public key of \(url)")
        let pinnedPEM = configuredKeyPEM ?? previous?.publicKeyPEM ?? publicKeyPEM
        let pinned = try Self.parse(pinnedPEM, source: configuredKeyPEM == nil ? "the pinned key of \(url)" : "QUENCH_REGISTRY_PUBLIC_KEY")
        let pinnedID = SigningKey.keyID(pinned)
        for candidate in [previous?.keyID, SigningKey.keyID(offered)].compactMap({ $0 }) where candidate != pinnedID {
            throw RegistryClientError.keyChanged(url: url, pinnedKeyID: pinnedID, offeredKeyID: candidate, stateFile: stateFile.path)
        }
        var next = previous ?? WitnessState(url: url, keyID: pinnedID, publicKeyPEM: pinnedPEM)
        if let checkpoint {
            guard checkpoint.keyID == pinnedID, checkpoint.isSigned(by: pinned) else {
                throw RegistryClientError.checkpointNotSigned(url: url, treeSize: checkpoint.treeSize, keyID: pinnedID)
            }
            if try extends(next.checkpoints.last, to: checkpoint, proof: proof) {
                next.checkpoints.append(checkpoint)
                next.checkpoints.removeFirst(max(0, next.checkpoints.count - WitnessState.maximumCheckpoints))
            }
        } else if let seen = next.checkpoints.last {
            throw notExtended(seen, "the registry now reports an empty log (no checkpoint)")
        }
        if next != previous { try next.write(to: stateFile) }
        return next
    }

    /// The registry key this client trusts: the configured one, else the one pinned on first use.
    public func pinnedKey() throws(RegistryClientError) -> P256.Signing.PublicKey {
        if let configuredKeyPEM { return try Self.parse(configuredKeyPEM, source: "QUENCH_REGISTRY_PUBLIC_KEY") }
        guard let state = try state() else {
            throw .stateInvalid(path: stateFile.path, reason: "no key is pinned for \(url) yet: run any quench registry command against it first")
        }
        return try state.pinnedKey(path: stateFile.path)
    }

    /// Checks the registry's whole log (`entries`, as the server lists them) against every checkpoint this
    /// client remembers, with the pinned key; `problem` of the result says what differs.
    public func verifyLog(entries: [AuditEntry]) throws(RegistryClientError) -> AuditVerification {
        guard let state = try state() else {
            throw .stateInvalid(path: stateFile.path, reason: "it does not exist yet: no command has witnessed this registry")
        }
        return AuditVerifier.verify(entries: entries, checkpoints: state.checkpoints, key: try state.pinnedKey(path: stateFile.path))
    }

    /// True when `checkpoint` is newer than `seen` and proven to extend it; false when it is the same tree;
    /// throws when the log shrank, changed, or the proof fails.
    private func extends(
        _ seen: AuditCheckpoint?, to checkpoint: AuditCheckpoint, proof: (Int, Int) throws -> [String]
    ) throws -> Bool {
        guard let seen else { return true }
        if checkpoint.treeSize < seen.treeSize {
            throw notExtended(seen, "it now has only \(checkpoint.treeSize) entries")
        }
        if checkpoint.treeSize == seen.treeSize {
            guard checkpoint.root == seen.root else {
                throw notExtended(seen, "it has the same size but another root (\(checkpoint.root.prefix(12))…)")
            }
            return false
        }
        let path = try proof(seen.treeSize, checkpoint.treeSize)
        guard ConsistencyProof.verify(from: seen, to: checkpoint, proof: path) else {
            throw notExtended(seen, "the consistency proof from tree size \(seen.treeSize) to \(checkpoint.treeSize) "
                + "(root \(checkpoint.root.prefix(12))…) does not check")
        }
        return true
    }

    private func notExtended(_ seen: AuditCheckpoint, _ detail: String) -> RegistryClientError {
        .logNotExtended(url: url, seenSize: seen.treeSize, seenRoot: seen.root, detail: detail, stateFile: stateFile.path)
    }

    private static func parse(_ pem: String, source: String) throws(RegistryClientError) -> P256.Signing.PublicKey {
        do {
            return try P256.Signing.PublicKey(pemRepresentation: pem)
        } catch {
            throw .publicKeyInvalid(source: source, reason: "\(error)")
        }
    }
}
