#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

extension ModelSigning {
    /// Checks `directory/model.sig` against `publicKey`, then the directory against the signed file list.
    ///
    /// Throws on the first problem: a bad bundle or signature, a different key, or the first file (in
    /// model_signing's order) added or removed, else the first whose content changed.
    @discardableResult
    public static func verify(directory: URL, publicKey: P256.Signing.PublicKey) throws -> SignedManifest {
        let signatureURL = directory.appendingPathComponent(signatureFileName)
        let signaturePath = signatureURL.path
        guard try SigningFileIO.fileType(atPath: directory.path) == S_IFDIR else {
            throw SigningError.notADirectory(path: directory.path)
        }
        guard try SigningFileIO.fileType(atPath: signaturePath) != nil else {
            throw SigningError.signatureMissing(path: signaturePath)
        }
        let bundleData = try SigningFileIO.read(signatureURL, limit: signatureFileLimit)
        let statement = try authenticatedStatement(bundleData, publicKey: publicKey, signaturePath: signaturePath)
        let manifest = try signedManifest(statement, signaturePath: signaturePath)
        try checkContents(of: directory, against: manifest)
        return manifest
    }

    /// Verifies with the public key stored at `publicKeyFile` (SubjectPublicKeyInfo PEM).
    @discardableResult
    public static func verify(directory: URL, publicKeyFile: URL) throws -> SignedManifest {
        try verify(directory: directory, publicKey: SigningKeys.loadPublicKey(from: publicKeyFile))
    }

    /// The in-toto statement of a bundle whose DSSE signature `publicKey` made, checked for the v1.0 predicate.
    static func authenticatedStatement(
        _ bundleData: Data, publicKey: P256.Signing.PublicKey, signaturePath: String
    ) throws -> ModelSignatureFormat.Statement {
        let malformed = { (reason: String) in SigningError.malformedSignature(path: signaturePath, reason: reason) }
        let bundle: ModelSignatureFormat.Bundle
        do {
            bundle = try JSONDecoder().decode(ModelSignatureFormat.Bundle.self, from: bundleData)
        } catch {
            throw malformed("not a Sigstore bundle (\(briefly(error)))")
        }
        guard bundle.mediaType == ModelSignatureFormat.bundleMediaType else {
            throw SigningError.unsupportedSignature(
                path: signaturePath, field: "bundle mediaType", expected: ModelSignatureFormat.bundleMediaType,
                found: bundle.mediaType)
        }
        let fingerprint = SigningKeys.fingerprint(of: publicKey)
        if let hint = bundle.verificationMaterial.publicKey?.hint, hint != fingerprint {
            throw SigningError.keyMismatch(path: signaturePath, expectedHint: fingerprint, foundHint: hint)
        }
        guard let envelope = bundle.dsseEnvelope else { throw malformed("the bundle holds no dsseEnvelope") }
        guard envelope.payloadType == ModelSignatureFormat.payloadType else {
            throw SigningError.unsupportedSignature(
                path: signaturePath, field: "DSSE payloadType", expected: ModelSignatureFormat.payloadType,
                found: envelope.payloadType)
        }
        guard let first = envelope.signatures.first else { throw malformed("the DSSE envelope holds no signature") }
        guard let payload = Data(base64Encoded: envelope.payload) else { throw malformed("the DSSE payload is not base64") }
        guard let signatureBytes = Data(base64Encoded: first.sig) else { throw malformed("the DSSE signature is not base64") }
        guard let signature = try? P256.Signing.ECDSASignature(derRepresentation: signatureBytes),
            publicKey.isValidSignature(signature, for: ModelSignatureFormat.preAuthenticationEncoding(payload: payload))
        else {
            throw SigningError.badSignature(path: signaturePath)
        }
        let statement: ModelSignatureFormat.Statement
        do {
            statement = try JSONDecoder().decode(ModelSignatureFormat.Statement.self, from: payload)
        } catch {
            throw malformed("the signed payload is not an in-toto statement (\(briefly(error)))")
        }
        guard statement.type == ModelSignatureFormat.statementType else {
            throw SigningError.unsupportedSignature(
                path: signaturePath, field: "statement _type", expected: ModelSignatureFormat.statementType,
                found: statement.type)
        }
        guard statement.predicateType == ModelSignatureFormat.predicateType else {
            throw SigningError.unsupportedSignature(
                path: signaturePath, field: "predicateType", expected: ModelSignatureFormat.predicateType,
                found: statement.predicateType)
        }
        return statement
    }

    /// The manifest a verified statement describes, after checking its serialization and subject digest.
    static func signedManifest(_ statement: ModelSignatureFormat.Statement, signaturePath: String) throws -> SignedManifest {
        guard statement.subject.count == 1, let subject = statement.subject.first else {
            throw SigningError.malformedSignature(
                path: signaturePath, reason: "expected one subject, found \(statement.subject.count)")
        }
        guard let expectedRoot = subject.digest["sha256"] else {
            throw SigningError.malformedSignature(path: signaturePath, reason: "the subject has no sha256 digest")
        }
        let serialization = statement.predicate.serialization
        guard serialization.method == ModelSignatureFormat.serializationMethod else {
            throw SigningError.unsupportedSignature(
                path: signaturePath, field: "serialization method",
                expected: ModelSignatureFormat.serializationMethod, found: serialization.method)
        }
        guard serialization.hashType == ModelSignatureFormat.hashType else {
            throw SigningError.unsupportedSignature(
                path: signaturePath, field: "serialization hash_type", expected: ModelSignatureFormat.hashType,
                found: serialization.hashType)
        }
        let files = try checkedFiles(statement.predicate.resources, signaturePath: signaturePath)
        let root = FileDigest.sha256(of: files.rawDigests)
        guard root == expectedRoot.lowercased() else {
            throw SigningError.manifestInconsistent(path: signaturePath, expected: expectedRoot, found: root)
        }
        return SignedManifest(
            modelName: subject.name, rootDigest: root, files: files.entries,
            ignoredPaths: serialization.ignorePaths ?? [])
    }

    /// Compares the directory with the manifest: first the file set (cheap), then each file's hash.
    static func checkContents(of directory: URL, against manifest: SignedManifest) throws {
        let ignored = ModelFileSet.defaultIgnoredPaths + manifest.ignoredPaths
        let present = try ModelFileSet.list(directory: directory, ignoring: ignored)
        let signed = Set(manifest.files.map(\.path))
        let presentSet = Set(present)
        let added = present.first { !signed.contains($0) }
        let removed = manifest.files.map(\.path).filter { !presentSet.contains($0) }
            .min { ModelFileSet.precedes($0, $1) }
        switch (added, removed) {
        case (let added?, let removed?):
            throw ModelFileSet.precedes(removed, added)
                ? SigningError.fileRemoved(path: removed) : SigningError.fileAdded(path: added)
        case (let added?, nil): throw SigningError.fileAdded(path: added)
        case (nil, let removed?): throw SigningError.fileRemoved(path: removed)
        case (nil, nil): break
        }
        let expected = Dictionary(manifest.files.map { ($0.path, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        for path in present {
            let actual = try sha256(of: path, in: directory)
            if let signedDigest = expected[path], signedDigest != actual {
                throw SigningError.fileModified(path: path, expected: signedDigest, found: actual)
            }
        }
    }

    /// A decoding error in one line, without echoing file content.
    private static func briefly(_ error: Error) -> String {
        guard let decoding = error as? DecodingError else { return "invalid JSON" }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "missing \(key.stringValue) at \(codingPath(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(codingPath(context))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "invalid JSON" : "invalid value at \(codingPath(context))"
        @unknown default:
            return "invalid JSON"
        }
    }

    private static func codingPath(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? "the top level" : path
    }
}
