import Crypto
import Foundation
import QuenchSecurity

/// Signs a version's artifact directory into `model.sig` and checks it again before promotion.
///
/// A protocol because the signature format is a deployment choice: the OpenSSF model-signing
/// implementation replaces the interim `ManifestSigner` without touching the registry.
public protocol ArtifactSigner: Sendable {
    /// Writes `directory/model.sig` covering every file in `directory`.
    func sign(directory: URL, modelName: String) throws
    /// Throws unless `directory/model.sig` is valid and matches the files now in `directory`.
    func verify(directory: URL) throws
}

/// Interim signer: a P-256 ECDSA signature over the sorted sha256 manifest of the directory's files.
public struct ManifestSigner: ArtifactSigner {
    /// The signature file every signer writes next to the artifacts.
    public static let signatureFileName = "model.sig"
    static let format = "quench.manifest-signature/v1"

    private let key: SigningKey

    public init(key: SigningKey) {
        self.key = key
    }

    private struct Envelope: Codable {
        var format: String
        var modelName: String
        var files: [HashedFile]
        var keyID: String
        var signature: String

        enum CodingKeys: String, CodingKey {
            case format, modelName = "model_name", files, keyID = "key_id", signature
        }
    }

    public func sign(directory: URL, modelName: String) throws {
        let files = try Self.manifest(of: directory)
        let privateKey = try key.privateKey()
        let signature = try privateKey.signature(for: Self.payload(modelName: modelName, files: files))
        let envelope = Envelope(
            format: Self.format, modelName: modelName, files: files,
            keyID: SigningKey.keyID(privateKey.publicKey), signature: signature.derRepresentation.base64EncodedString())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(envelope), to: directory.appendingPathComponent(Self.signatureFileName))
    }

    public func verify(directory: URL) throws {
        let publicKey = try key.publicKey()
        let sigURL = directory.appendingPathComponent(Self.signatureFileName)
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(contentsOf: sigURL))
        } catch {
            throw RegistryError.signatureInvalid(directory: directory.path, reason: "model.sig is missing or unreadable: \(error)")
        }
        guard envelope.format == Self.format else {
            throw RegistryError.signatureInvalid(directory: directory.path, reason: "unknown format '\(envelope.format)'")
        }
        guard let der = Data(base64Encoded: envelope.signature),
              let signature = try? P256.Signing.ECDSASignature(derRepresentation: der),
              publicKey.isValidSignature(signature, for: Self.payload(modelName: envelope.modelName, files: envelope.files))
        else {
            throw RegistryError.signatureInvalid(directory: directory.path, reason: "the signature does not match the registry key \(SigningKey.keyID(publicKey))")
        }
        let current = try Self.manifest(of: directory)
        guard current == envelope.files else {
            let signed = Dictionary(envelope.files.map { ($0.path, $0.sha256) }, uniquingKeysWith: { first, _ in first })
            let changed = current.first { signed[$0.path] != $0.sha256 }?.path
                ?? envelope.files.first { file in !current.contains { $0.path == file.path } }.map { "\($0.path) (missing)" }
                ?? "(unknown)"
            throw RegistryError.signatureInvalid(directory: directory.path, reason: "\(changed) differs from the signed manifest")
        }
    }

    private static func manifest(of directory: URL) throws -> [HashedFile] {
        try ArtifactDirectory.relativeFiles(in: directory)
            .filter { $0 != signatureFileName }
            .map { HashedFile(path: $0, sha256: try FileDigest.sha256(of: directory.appendingPathComponent($0))) }
    }

    private static func payload(modelName: String, files: [HashedFile]) -> Data {
        let value = JSONValue.object([
            "format": .string(format), "model_name": .string(modelName),
            "files": .array(files.map { .object(["path": .string($0.path), "sha256": .string($0.sha256)]) }),
        ])
        return Data(value.canonical.utf8)
    }
}
