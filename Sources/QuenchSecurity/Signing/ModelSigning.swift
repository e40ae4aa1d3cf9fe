import Crypto
import Foundation
import QuenchFiles

/// Signs model directories in the OpenSSF model-signing v1.0 format and verifies them, interoperable with
/// `model_signing sign key` / `model_signing verify key` (PyPI `model-signing` 1.1.1).
///
/// The signature is `model.sig` in the directory: a Sigstore bundle v0.3 holding a DSSE envelope of an in-toto
/// statement that lists every file with its SHA-256, signed with ECDSA P-256 over SHA-256 (DER). Which files are
/// covered is decided by `ModelFileSet` (model_signing's defaults: git paths and `model.sig` ignored, symlinks refused).
public enum ModelSigning {
    /// The signature's file name inside the model directory.
    public static let signatureFileName = ModelFileSet.signatureFileName
    /// A bundle for a million files is about 200 MB; anything beyond this is refused before parsing.
    static let signatureFileLimit = 512 << 20

    /// Hashes every covered file under `directory`, signs the manifest and writes `directory/model.sig` atomically.
    ///
    /// `modelName` defaults to the directory's name, as model_signing does; it is informative and never verified.
    @discardableResult
    public static func sign(
        directory: URL, privateKey: P256.Signing.PrivateKey, modelName: String? = nil
    ) throws -> SignedManifest {
        let ignoredPaths = ModelFileSet.defaultIgnoredPaths
        let paths = try ModelFileSet.list(directory: directory, ignoring: ignoredPaths)
        let resources = try paths.map { path in
            ModelSignatureFormat.Resource(
                name: path, algorithm: ModelSignatureFormat.hashType, digest: try sha256(of: path, in: directory))
        }
        let signatureURL = directory.appendingPathComponent(signatureFileName)
        let files = try checkedFiles(resources, signaturePath: signatureURL.path)
        let rootDigest = FileDigest.sha256(of: files.rawDigests)
        let manifest = SignedManifest(
            modelName: modelName ?? defaultModelName(of: directory), rootDigest: rootDigest,
            files: files.entries, ignoredPaths: ignoredPaths)
        let statement = ModelSignatureFormat.Statement(
            type: ModelSignatureFormat.statementType,
            subject: [.init(name: manifest.modelName, digest: ["sha256": rootDigest])],
            predicateType: ModelSignatureFormat.predicateType,
            predicate: .init(
                serialization: .init(
                    method: ModelSignatureFormat.serializationMethod, hashType: ModelSignatureFormat.hashType,
                    allowSymlinks: false, ignorePaths: ignoredPaths),
                resources: resources))
        let payload = try canonicalJSON(statement, path: signatureURL.path)
        let signature = try privateKey.signature(for: ModelSignatureFormat.preAuthenticationEncoding(payload: payload))
        let bundle = ModelSignatureFormat.Bundle(
            mediaType: ModelSignatureFormat.bundleMediaType,
            verificationMaterial: .init(publicKey: .init(hint: SigningKeys.fingerprint(of: privateKey.publicKey))),
            dsseEnvelope: .init(
                payload: payload.base64EncodedString(), payloadType: ModelSignatureFormat.payloadType,
                signatures: [.init(sig: signature.derRepresentation.base64EncodedString(), keyid: "")]))
        let bundleData = try canonicalJSON(bundle, path: signatureURL.path)
        try SigningFileIO.writeAtomically(bundleData, to: signatureURL, mode: 0o644, replacing: true)
        return manifest
    }

    /// Signs with the private key stored at `privateKeyFile` (which must be mode 0600).
    @discardableResult
    public static func sign(directory: URL, privateKeyFile: URL, modelName: String? = nil) throws -> SignedManifest {
        try sign(directory: directory, privateKey: SigningKeys.loadPrivateKey(from: privateKeyFile), modelName: modelName)
    }

    /// Sorted keys and no insignificant whitespace, so the same statement always yields the same signed bytes.
    static func canonicalJSON<Value: Encodable>(_ value: Value, path: String) throws -> Data {
        do {
            return try JSONCoding.canonicalEncoder.encode(value)
        } catch {
            throw SigningError.writeFailed(path: path, reason: "cannot encode the signature: \(error)")
        }
    }

    /// The streamed SHA-256 of one covered file.
    static func sha256(of relativePath: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(relativePath)
        do {
            return try FileDigest.sha256(of: url)
        } catch let failure as FileDigest.Failure {
            switch failure {
            case .unreadable(let path, let reason): throw SigningError.unreadable(path: path, reason: reason)
            }
        }
    }

    /// The directory's last path component, as model_signing names a model.
    static func defaultModelName(of directory: URL) -> String {
        let name = directory.standardizedFileURL.lastPathComponent
        return name.isEmpty || name == "/" ? "model" : name
    }

    /// Resources checked for what a verifier relies on: plain unique relative paths, SHA-256 hex digests.
    static func checkedFiles(
        _ resources: [ModelSignatureFormat.Resource], signaturePath: String
    ) throws -> (entries: [SignedFile], rawDigests: Data) {
        var entries: [SignedFile] = []
        var seen = Set<String>()
        var rawDigests = Data(capacity: resources.count * 32)
        for resource in resources {
            guard resource.algorithm == ModelSignatureFormat.hashType else {
                throw SigningError.unsupportedSignature(
                    path: signaturePath, field: "digest algorithm of \(resource.name)",
                    expected: ModelSignatureFormat.hashType, found: resource.algorithm)
            }
            guard ModelFileSet.isPlainRelativePath(resource.name) else {
                throw SigningError.malformedSignature(
                    path: signaturePath, reason: "file name \(resource.name.debugDescription) is not a plain relative path")
            }
            guard seen.insert(resource.name).inserted else {
                throw SigningError.malformedSignature(path: signaturePath, reason: "file \(resource.name) is listed twice")
            }
            guard resource.digest.utf8.count == 64, let raw = Hex.decode(resource.digest) else {
                throw SigningError.malformedSignature(
                    path: signaturePath, reason: "digest of \(resource.name) is not 64 hex digits")
            }
            rawDigests.append(raw)
            entries.append(SignedFile(path: resource.name, sha256: resource.digest.lowercased()))
        }
        return (entries, rawDigests)
    }
}
