import Crypto
import Foundation
import QuenchSecurity

/// The registry's P-256 signing key, held as raw bytes so the registry can be shared across tasks.
public struct SigningKey: Sendable {
    private let raw: Data

    /// Wraps an existing key.
    public init(_ key: P256.Signing.PrivateKey) {
        raw = key.rawRepresentation
    }

    /// Reads a PEM private key (PKCS#8 or SEC1) from `url` through `SigningKeys.loadPrivateKey`: a
    /// regular file of the current user, not a symbolic link, mode 0600 or stricter.
    public static func load(from url: URL) throws -> SigningKey {
        do {
            return SigningKey(try SigningKeys.loadPrivateKey(from: url))
        } catch SigningError.keyFileMissing {
            throw RegistryError.signingKeyMissing(path: url.path)
        } catch SigningError.keyFileTooOpen(_, let mode) {
            throw RegistryError.signingKeyInsecure(path: url.path, mode: mode)
        } catch SigningError.unreadable(_, let reason), SigningError.invalidKey(_, let reason) {
            throw RegistryError.signingKeyInvalid(path: url.path, reason: reason)
        }
    }

    /// The key itself, rebuilt for one signing operation.
    public func privateKey() throws -> P256.Signing.PrivateKey {
        do {
            return try P256.Signing.PrivateKey(rawRepresentation: raw)
        } catch {
            throw RegistryError.signingKeyInvalid(path: "(in memory)", reason: "\(error)")
        }
    }

    /// The public half, which verifies signatures and checkpoints.
    public func publicKey() throws -> P256.Signing.PublicKey {
        try privateKey().publicKey
    }

    /// Short identifier of a public key: hex sha256 of its raw representation.
    public static func keyID(_ key: P256.Signing.PublicKey) -> String {
        SHA256.hash(data: key.rawRepresentation).map { String(format: "%02x", $0) }.joined()
    }
}
