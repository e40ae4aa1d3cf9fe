/// What a policy does with a kind of finding.
public enum PolicyAction: String, Codable, Sendable, CaseIterable {
    /// The data may not be used while such findings remain: the data stage stops.
    case fail
    /// Findings are replaced (placeholder or pseudonym) before the data is used.
    case redact
    /// Findings are counted and reported, nothing more.
    case allow
}
