import Foundation
import QuenchSecurity

extension Registry {
    /// All versions, or those of `name`.
    public func list(name: String? = nil) throws -> [ModelVersion] {
        try store.read { try $0.versions(name: name) }
    }

    /// One version with everything recorded about it.
    public func show(_ reference: VersionReference) throws -> ModelVersion {
        try store.read { try Self.existing(reference, in: $0) }
    }

    /// Versions whose lineage includes a dataset with this governance fingerprint.
    public func versions(withDatasetFingerprint fingerprint: String) throws -> [ModelVersion] {
        try store.read { try $0.versions(withDatasetFingerprint: fingerprint) }
    }

    /// Re-hashes a version's files against its record and checks its signature; returns it when intact.
    @discardableResult
    public func verify(_ reference: VersionReference) throws -> ModelVersion {
        let version = try show(reference)
        try verify(version)
        return version
    }

    /// The audit log in order.
    public func auditLog() throws -> [AuditEntry] {
        try store.read { try $0.auditEntries() }
    }

    /// Recomputes the audit tree and checks it against every signed checkpoint, then replays the log
    /// and holds every version's status, decision makers, review flag and aliases against the state
    /// tables (a row changed outside the registry is named with the difference).
    public func verifyAudit() throws -> AuditVerification {
        let (entries, stored, users) = try store.read { (try $0.auditEntries(), try $0.versions(name: nil), try $0.users()) }
        var result = AuditVerifier.verify(entries: entries, checkpoints: try checkpoints.readAll(), key: try signingKey.publicKey())
        let replay = AuditReplay(entries)
        result.stateProblems = replay.violations + replay.differences(from: stored) + replay.differences(from: users.map(\.user))
        return result
    }

    func verify(_ version: ModelVersion) throws {
        let directory = URL(fileURLWithPath: version.artifactDirectory)
        for file in version.files {
            let url = directory.appendingPathComponent(file.path)
            let found: String
            do {
                found = try FileDigest.sha256(of: url)
            } catch {
                throw RegistryError.artifactTampered(subject: version.subject, file: file.path, reason: "is missing or unreadable")
            }
            guard found == file.sha256 else {
                throw RegistryError.artifactTampered(subject: version.subject, file: file.path, reason: "has sha256 \(found), registered \(file.sha256)")
            }
        }
        let signature = directory.appendingPathComponent(OpenSSFSigner.signatureFileName)
        guard (try? FileDigest.sha256(of: signature)) == version.signatureSHA256 else {
            throw RegistryError.artifactTampered(subject: version.subject, file: OpenSSFSigner.signatureFileName, reason: "is missing or not the signature made at registration")
        }
        try signer.verify(directory: directory)
    }
}
