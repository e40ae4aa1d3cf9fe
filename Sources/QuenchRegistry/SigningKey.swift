import Crypto
import Foundation

/// The registry's P-256 signing key, held as raw bytes so the registry can be shared across tasks.
public struct SigningKey: Sendable {
    private let raw: Data

    /// Wraps an existing key.
    public init(_ key: P256.Signing.PrivateKey) {
        raw = key.rawRepresentation
    }

    /// Reads a PEM private key (PKCS#8 or SEC1) from `url`, which must have mode 0600 or stricter.
    public static func load(from url: URL) throws -> SigningKey {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        } catch {
            throw RegistryError.signingKeyMissing(path: url.path)
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw RegistryError.signingKeyInsecure(path: url.path, mode: String(mode, radix: 8))
        }
        let pem: String
        do {
            pem = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw RegistryError.signingKeyInvalid(path: url.path, reason: "not readable as text")
        }
        do {
            return SigningKey(try P256.Signing.PrivateKey(pemRepresentation: pem))
        } catch {
            throw RegistryError.signingKeyInvalid(path: url.path, reason: "\(error)")
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
