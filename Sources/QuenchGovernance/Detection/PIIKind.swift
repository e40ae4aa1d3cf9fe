/// The kinds of personal data and secrets the detectors find, as a closed registry mapped from the
/// names used in `configs/governance.yaml`.
public enum PIIKind: String, CaseIterable, Codable, Sendable, Comparable {
    case email
    /// E.164 (`+44 20 7946 0958`) and North American (`(415) 555-2671`) numbers.
    case phone
    /// US social security numbers (`AAA-GG-SSSS`, excluding numbers never issued).
    case ssn
    /// Card numbers of 13 to 19 digits that pass the Luhn check.
    case paymentCard = "payment_card"
    /// International bank account numbers that pass the mod-97 check.
    case iban
    case ipv4
    case ipv6
    /// AWS access key ids (`AKIA…`, `ASIA…`).
    case awsAccessKey = "aws_access_key"
    /// PEM or OpenSSH private-key blocks.
    case privateKey = "private_key"
    /// JSON web tokens (three base64url segments, the first two JSON objects).
    case jwt
    /// Hugging Face, GitHub, OpenAI-style and Stripe tokens.
    case apiToken = "api_token"

    /// The names used in configuration files, for error messages.
    public static let knownNames = allCases.map(\.rawValue)

    /// The typed placeholder a redaction writes in place of a finding, e.g. `<EMAIL>`.
    public var placeholder: String { "<" + rawValue.uppercased() + ">" }

    /// True for credentials (as opposed to personal data about someone).
    public var isSecret: Bool {
        switch self {
        case .awsAccessKey, .privateKey, .jwt, .apiToken: return true
        default: return false
        }
    }

    /// One bit per kind, for the detector's enabled set.
    var bit: UInt16 {
        switch self {
        case .email: return 1 << 0
        case .phone: return 1 << 1
        case .ssn: return 1 << 2
        case .paymentCard: return 1 << 3
        case .iban: return 1 << 4
        case .ipv4: return 1 << 5
        case .ipv6: return 1 << 6
        case .awsAccessKey: return 1 << 7
        case .privateKey: return 1 << 8
        case .jwt: return 1 << 9
        case .apiToken: return 1 << 10
        }
    }

    public static func < (lhs: PIIKind, rhs: PIIKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
