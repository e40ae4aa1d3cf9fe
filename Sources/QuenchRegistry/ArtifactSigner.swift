import Crypto
import Foundation
import QuenchSecurity

/// Signs a version's artifact directory into `model.sig` and checks it again before promotion.
///
/// A protocol because the signature format is a deployment choice: the OpenSSF model-signing
/// implementation is the default; a deployment may bring its own (a KMS- or Sigstore-backed one).
public protocol ArtifactSigner: Sendable {
    /// Writes `directory/model.sig` covering every file in `directory`.
    func sign(directory: URL, modelName: String) throws
    /// Throws unless `directory/model.sig` is valid and matches the files now in `directory`.
    func verify(directory: URL) throws
}

/// The registry's signer: the OpenSSF model-signing format (`model.sig`, a Sigstore bundle that
/// `model_signing verify key` accepts) with the registry's P-256 key.
public struct OpenSSFSigner: ArtifactSigner {
    /// The signature file written next to the artifacts.
    public static let signatureFileName = ModelSigning.signatureFileName

    private let key: SigningKey

    public init(key: SigningKey) {
        self.key = key
    }

    public func sign(directory: URL, modelName: String) throws {
        do {
            try ModelSigning.sign(directory: directory, privateKey: try key.privateKey(), modelName: modelName)
        } catch let error as SigningError {
            throw RegistryError.signatureInvalid(directory: directory.path, reason: "cannot sign: \(error)")
        }
    }

    public func verify(directory: URL) throws {
        do {
            try ModelSigning.verify(directory: directory, publicKey: try key.publicKey())
        } catch let error as SigningError {
            throw RegistryError.signatureInvalid(directory: directory.path, reason: "\(error)")
        }
    }
}
