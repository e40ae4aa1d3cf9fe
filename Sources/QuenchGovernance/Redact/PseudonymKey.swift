import Crypto
import Foundation
import QuenchSecurity

/// The secret behind consistent pseudonyms: an HMAC-SHA256 key read from a file only its owner can
/// read, so the same e-mail address maps to the same pseudonym in every file redacted with it, and no
/// one without the key can map a pseudonym back by hashing guesses.
public struct PseudonymKey: Sendable {
    /// Fewest key bytes accepted.
    public static let minimumBytes = 16
    /// The key bytes (SymmetricKey is not Sendable; the key is made at each use).
    private let bytes: Data

    /// A key from raw bytes.
    /// - Throws: `GovernanceError.keyTooShort` for fewer than `minimumBytes` bytes.
    public init(bytes: Data, source: String = "key") throws {
        guard bytes.count >= Self.minimumBytes else {
            throw GovernanceError.keyTooShort(path: source, bytes: bytes.count, minimum: Self.minimumBytes)
        }
        self.bytes = bytes
    }

    /// The key in the file at `url`, read by `KeyFile`: a regular file of the current user, not a
    /// symbolic link, mode 0600 or stricter (no group or other access).
    public static func load(from url: URL) throws -> PseudonymKey {
        let bytes: Data
        do {
            bytes = try KeyFile.readSecret(url)
        } catch KeyFile.Failure.tooOpen(_, let mode) {
            throw GovernanceError.keyFileTooOpen(path: url.path, mode: mode)
        } catch let failure as KeyFile.Failure {
            throw GovernanceError.unreadable(path: url.path, reason: failure.reason)
        }
        return try PseudonymKey(bytes: bytes, source: url.path)
    }

    /// The pseudonym of `value` (a finding of `kind`), e.g. `<EMAIL_3f9a1c0b2d4e>`. Values are
    /// normalised first (e-mail case, phone and card separators), so spellings of one value agree.
    public func pseudonym(for value: UnsafeRawBufferPointer, kind: PIIKind) -> String {
        var message = Array(kind.rawValue.utf8)
        message.append(0)
        switch kind {
        case .email:
            message.append(contentsOf: value.map { ASCII.isUpper($0) ? $0 | 0x20 : $0 })
        case .phone, .ssn, .paymentCard, .iban:
            message.append(contentsOf: value.filter(ASCII.isAlphanumeric).map { ASCII.isLower($0) ? $0 & ~0x20 : $0 })
        default:
            message.append(contentsOf: value)
        }
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: bytes))
        let hex = code.prefix(6).map { String(format: "%02x", $0) }.joined()
        return "<" + kind.rawValue.uppercased() + "_" + hex + ">"
    }
}
