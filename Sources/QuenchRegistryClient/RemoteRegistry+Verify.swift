import Crypto
import Foundation
import QuenchFiles
import QuenchRegistry
import QuenchSecurity

/// Verification of a version through a server, trusting the server only as far as the pinned key allows:
/// the server re-hashes its copy, and this client downloads the files and `model.sig` and checks them itself.
extension RemoteRegistry {
    /// The answer of GET .../verify.
    struct Verified: Decodable {
        var subject: String
        var verified: Bool
    }

    /// The largest `model.sig` downloaded (a bundle listing a million files is about 200 MB).
    static let signatureLimit = 512 << 20

    /// Asks the server to re-hash the version and check its signature, then downloads its files and
    /// `model.sig` into a private temporary folder and checks that the signature is the pinned key's, over
    /// exactly the files and hashes the version records.
    /// - Throws: the server's `artifact_tampered` refusal, or `RegistryClientError.signatureMismatch`.
    public func verify(_ reference: VersionReference) throws -> ModelVersion {
        let state = try witnessLog()
        let answer = try http.get(Verified.self, "\(Self.path(reference))/verify")
        guard answer.verified, answer.subject == reference.description else {
            throw RegistryClientError.malformedAnswer(url: url, reason: "verify of \(reference) answered \(answer.subject) verified=\(answer.verified)")
        }
        let version = try fetch(reference)
        let key: P256.Signing.PublicKey
        do {
            key = try P256.Signing.PublicKey(pemRepresentation: state.publicKeyPEM)
        } catch {
            throw RegistryClientError.stateInvalid(path: witness.stateFile.path, reason: "public_key_pem is not a P-256 public key (\(error))")
        }
        try checkDownloaded(version, key: key)
        return version
    }

    /// Downloads `version` and checks it against `key` and its record.
    private func checkDownloaded(_ version: ModelVersion, key: P256.Signing.PublicKey) throws {
        let mismatch = { (reason: String) in RegistryClientError.signatureMismatch(subject: version.subject, url: self.url, reason: reason) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quench-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in version.files {
            guard Self.isPlainRelative(file.path), file.path != OpenSSFSigner.signatureFileName, file.size >= 0 else {
                throw RegistryClientError.malformedAnswer(url: url, reason: "\(version.subject) records the file '\(file.path)'")
            }
            try http.download("\(Self.path(version))/files/\(RegistryHTTP.filePath(file.path))",
                              to: folder.appendingPathComponent(file.path), limit: Int(clamping: file.size))
        }
        let signature = folder.appendingPathComponent(OpenSSFSigner.signatureFileName)
        try http.download("\(Self.path(version))/files/\(OpenSSFSigner.signatureFileName)", to: signature, limit: Self.signatureLimit)
        guard try FileDigest.sha256(of: signature) == version.signatureSHA256 else {
            throw mismatch("model.sig is not the signature recorded at registration (sha256 \(version.signatureSHA256))")
        }
        let manifest: SignedManifest
        do {
            manifest = try ModelSigning.verify(directory: folder, publicKey: key)
        } catch {
            throw mismatch("\(error)")
        }
        let signed = Set(manifest.files.map { "\($0.path) \($0.sha256)" })
        let recorded = Set(version.files.map { "\($0.path) \($0.sha256)" })
        guard signed == recorded else {
            let extra = signed.subtracting(recorded).sorted().first ?? recorded.subtracting(signed).sorted().first ?? ""
            throw mismatch("the signature and the version's record list different files (first difference: \(extra))")
        }
    }

    /// True for a relative path whose every component is a plain name (no `.`, `..` or empty part).
    static func isPlainRelative(_ path: String) -> Bool {
        !path.hasPrefix("/") && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    private static func path(_ version: ModelVersion) -> String {
        path(VersionReference(name: version.name, version: version.version))
    }
}
