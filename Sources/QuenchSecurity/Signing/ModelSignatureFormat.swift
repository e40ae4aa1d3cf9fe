import Foundation

/// The OpenSSF model-signing v1.0 wire format: a Sigstore bundle v0.3 whose DSSE envelope carries an in-toto statement.
///
/// Field names follow the JSON exactly (the bundle in protobuf-JSON camelCase, the statement in snake_case).
enum ModelSignatureFormat {
    static let bundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
    static let payloadType = "application/vnd.in-toto+json"
    static let statementType = "https://in-toto.io/Statement/v1"
    static let predicateType = "https://model_signing/signature/v1.0"
    static let serializationMethod = "files"
    static let hashType = "sha256"

    /// DSSE pre-authentication encoding: what the ECDSA signature is computed over.
    ///
    /// `"DSSEv1" SP len(type) SP type SP len(payload) SP payload`, lengths in bytes, in decimal.
    static func preAuthenticationEncoding(payload: Data) -> Data {
        var encoded = Data("DSSEv1 \(payloadType.utf8.count) \(payloadType) \(payload.count) ".utf8)
        encoded.append(payload)
        return encoded
    }

    /// The top-level Sigstore bundle (only the fields key-based signing uses).
    struct Bundle: Codable {
        var mediaType: String
        var verificationMaterial: VerificationMaterial
        var dsseEnvelope: Envelope?
    }

    /// The public key hint; `tlogEntries` stays empty because nothing is logged to a transparency log.
    struct VerificationMaterial: Codable {
        var publicKey: PublicKeyIdentifier?

        enum CodingKeys: String, CodingKey { case publicKey, tlogEntries }

        init(publicKey: PublicKeyIdentifier?) { self.publicKey = publicKey }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            publicKey = try container.decodeIfPresent(PublicKeyIdentifier.self, forKey: .publicKey)
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(publicKey, forKey: .publicKey)
            try container.encode([String](), forKey: .tlogEntries)
        }
    }

    /// model_signing's key identifier: hex SHA-256 of the signer's public key PEM.
    struct PublicKeyIdentifier: Codable {
        var hint: String?
    }

    /// The DSSE envelope: base64 payload, its type, and the signatures over its PAE.
    struct Envelope: Codable {
        var payload: String
        var payloadType: String
        var signatures: [EnvelopeSignature]
    }

    /// One base64 DER ECDSA signature.
    struct EnvelopeSignature: Codable {
        var sig: String
        var keyid: String?
    }

    /// The in-toto v1 statement signed inside the envelope.
    struct Statement: Codable {
        var type: String
        var subject: [Subject]
        var predicateType: String
        var predicate: Predicate

        enum CodingKeys: String, CodingKey {
            case type = "_type", subject, predicateType, predicate
        }
    }

    /// The model: its name and the root digest over all file digests.
    struct Subject: Codable {
        var name: String
        var digest: [String: String]
    }

    /// How the directory was turned into a file list, and the list itself.
    struct Predicate: Codable {
        var serialization: Serialization
        var resources: [Resource]
    }

    /// The serialization parameters a verifier needs to rebuild the same file list.
    struct Serialization: Codable {
        var method: String
        var hashType: String
        var allowSymlinks: Bool
        var ignorePaths: [String]?

        enum CodingKeys: String, CodingKey {
            case method, hashType = "hash_type", allowSymlinks = "allow_symlinks", ignorePaths = "ignore_paths"
        }
    }

    /// One signed file: its slash-separated path relative to the model directory and its digest.
    struct Resource: Codable {
        var name: String
        var algorithm: String
        var digest: String
    }
}

/// Lower-case hex decoding for digests read from untrusted statements.
enum Hex {
    /// The bytes of an even-length hex string, or nil if any character is not a hex digit.
    static func decode(_ text: String) -> Data? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes = Data(capacity: digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
