import Crypto
import Foundation
import QuenchFiles
import QuenchSecurity
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A signed statement "the audit tree had this size and root", kept outside the database.
///
/// Someone who can rewrite the database cannot forge these without the signing key, so
/// `audit verify` can tell which entry changed since each checkpoint was signed.
public struct AuditCheckpoint: Codable, Sendable, Equatable {
    public var treeSize: Int
    /// Hex RFC 6962 root.
    public var root: String
    public var at: String
    public var keyID: String
    /// Base64 DER ECDSA P-256 signature over `signedMessage`.
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case treeSize = "tree_size", root, at, keyID = "key_id", signature
    }

    /// The exact bytes signed; a versioned text form so other tools can check it.
    var signedMessage: Data {
        Data("quench-audit-checkpoint/v1\n\(treeSize)\n\(root)\n\(at)\n".utf8)
    }

    /// Signs the tree head with the registry key.
    static func sign(_ head: TreeHead, with signingKey: SigningKey) throws -> AuditCheckpoint {
        let key = try signingKey.privateKey()
        var checkpoint = AuditCheckpoint(
            treeSize: head.size, root: head.root, at: Timestamp.string(), keyID: SigningKey.keyID(key.publicKey), signature: "")
        checkpoint.signature = try key.signature(for: checkpoint.signedMessage).derRepresentation.base64EncodedString()
        return checkpoint
    }

    /// True when the signature is valid for `key`.
    public func isSigned(by key: P256.Signing.PublicKey) -> Bool {
        guard let der = Data(base64Encoded: signature),
              let parsed = try? P256.Signing.ECDSASignature(derRepresentation: der) else { return false }
        return key.isValidSignature(parsed, for: signedMessage)
    }
}

/// The append-only file of checkpoints, one JSON object per line.
public struct CheckpointLog: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// Appends one line under an exclusive lock, so concurrent registrations never interleave.
    func append(_ checkpoint: AuditCheckpoint) throws {
        var line = try JSONCoding.lineEncoder.encode(checkpoint)
        line.append(UInt8(ascii: "\n"))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(url.path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else {
            throw RegistryError.checkpointWriteFailed(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            throw RegistryError.checkpointWriteFailed(path: url.path, reason: String(cString: strerror(errno)))
        }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(descriptor) == 0 else {
            throw RegistryError.checkpointWriteFailed(path: url.path, reason: "short write: \(written) of \(line.count) bytes")
        }
    }

    /// Every checkpoint in the file; an absent file is an empty log.
    public func readAll() throws -> [AuditCheckpoint] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let data: Data
        do {
            data = try RegularFile.contents(of: url.path)
        } catch {
            throw RegistryError.checkpointInvalid(path: url.path, line: 0, reason: error.reason)
        }
        var checkpoints: [AuditCheckpoint] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            do {
                checkpoints.append(try JSONCoding.decoder.decode(AuditCheckpoint.self, from: Data(line)))
            } catch {
                throw RegistryError.checkpointInvalid(path: url.path, line: index + 1, reason: "not a checkpoint: \(JSONErrorText.describe(error, in: Data(line)))")
            }
        }
        return checkpoints
    }
}
