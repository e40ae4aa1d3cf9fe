#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation
import QuenchFiles

/// ECDSA P-256 signing keys as PEM files that model_signing and OpenSSL read too.
public enum SigningKeys {
    /// Key files are a few hundred bytes; anything far larger is not a key.
    static let keyFileLimit = 64 << 10

    /// A fresh random P-256 signing key.
    public static func generate() -> P256.Signing.PrivateKey { P256.Signing.PrivateKey() }

    /// Reads a PEM private key (PKCS#8 or SEC1), refusing it if group or others could read the file.
    /// The file is read by `KeyFile`: no symbolic link, a regular file of the current user, mode 0600 or stricter.
    public static func loadPrivateKey(from url: URL) throws -> P256.Signing.PrivateKey {
        let data: Data
        do {
            data = try KeyFile.readSecret(url, limit: keyFileLimit)
        } catch KeyFile.Failure.missing {
            throw SigningError.keyFileMissing(path: url.path)
        } catch KeyFile.Failure.tooOpen(_, let mode) {
            throw SigningError.keyFileTooOpen(path: url.path, mode: mode)
        } catch let failure as KeyFile.Failure {
            throw SigningError.unreadable(path: url.path, reason: failure.reason)
        }
        do {
            return try P256.Signing.PrivateKey(pemRepresentation: String(decoding: data, as: UTF8.self))
        } catch {
            throw SigningError.invalidKey(path: url.path, reason: "not a P-256 private key in PEM form (\(error))")
        }
    }

    /// Reads a PEM SubjectPublicKeyInfo P-256 public key.
    public static func loadPublicKey(from url: URL) throws -> P256.Signing.PublicKey {
        guard try SigningFileIO.fileType(atPath: url.path) != nil else { throw SigningError.keyFileMissing(path: url.path) }
        let data = try SigningFileIO.read(url, limit: keyFileLimit)
        do {
            return try P256.Signing.PublicKey(pemRepresentation: String(decoding: data, as: UTF8.self))
        } catch {
            throw SigningError.invalidKey(path: url.path, reason: "not a P-256 public key in PEM form (\(error))")
        }
    }

    /// Writes the private key (PKCS#8 PEM, mode 0600) and its public key (SubjectPublicKeyInfo PEM, mode 0644).
    ///
    /// Without `overwrite`, an existing file at either path is an error and neither file is touched.
    public static func write(
        privateKey: P256.Signing.PrivateKey, to privateKeyURL: URL, publicKeyTo publicKeyURL: URL, overwrite: Bool = false
    ) throws {
        if !overwrite {
            for url in [privateKeyURL, publicKeyURL] where try SigningFileIO.fileType(atPath: url.path) != nil {
                throw SigningError.keyFileExists(path: url.path)
            }
        }
        var privatePEM = privateKey.pemRepresentation
        if !privatePEM.hasSuffix("\n") { privatePEM += "\n" }
        try SigningFileIO.writeAtomically(Data(privatePEM.utf8), to: privateKeyURL, mode: 0o600, replacing: overwrite)
        let publicPEM = publicKeyPEM(privateKey.publicKey)
        try SigningFileIO.writeAtomically(Data(publicPEM.utf8), to: publicKeyURL, mode: 0o644, replacing: overwrite)
    }

    /// Generates a key pair into `directory` (created 0700 if missing; `QuenchHome.keys` by default
    /// in the CLI) as signing.key and signing.pub.
    public static func createKeyPair(in directory: URL, overwrite: Bool = false) throws -> GeneratedKeyPair {
        try SigningFileIO.createPrivateDirectory(directory)
        let key = generate()
        let pair = GeneratedKeyPair(
            privateKeyPath: directory.appendingPathComponent(QuenchHome.signingKeyFileName).path,
            publicKeyPath: directory.appendingPathComponent(QuenchHome.signingPublicKeyFileName).path,
            fingerprint: fingerprint(of: key.publicKey))
        try write(
            privateKey: key, to: URL(fileURLWithPath: pair.privateKeyPath),
            publicKeyTo: URL(fileURLWithPath: pair.publicKeyPath), overwrite: overwrite)
        return pair
    }

    /// The key's SubjectPublicKeyInfo PEM, byte for byte as OpenSSL and Python's cryptography write it.
    public static func publicKeyPEM(_ key: P256.Signing.PublicKey) -> String {
        let base64 = key.derRepresentation.base64EncodedString()
        var lines = ["-----BEGIN PUBLIC KEY-----"]
        var start = base64.startIndex
        while start < base64.endIndex {
            let end = base64.index(start, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[start..<end]))
            start = end
        }
        lines.append("-----END PUBLIC KEY-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The key hint model_signing records in a bundle: hex SHA-256 of the key's public PEM text.
    public static func fingerprint(of key: P256.Signing.PublicKey) -> String {
        FileDigest.sha256(of: Data(publicKeyPEM(key).utf8))
    }
}

/// Where `SigningKeys.createKeyPair` wrote a new key pair.
public struct GeneratedKeyPair: Codable, Equatable, Sendable {
    /// The private key file (0600).
    public var privateKeyPath: String
    /// The public key file, to hand to verifiers.
    public var publicKeyPath: String
    /// SHA-256 of the public key PEM: the `publicKey.hint` in every bundle this key signs.
    public var fingerprint: String
}
