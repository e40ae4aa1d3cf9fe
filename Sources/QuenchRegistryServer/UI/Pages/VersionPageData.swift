import QuenchRegistry

/// The signature check as the version page shows it.
enum SignatureCheck: Sendable {
    case verified
    /// The reason the artifacts or their signature did not verify.
    case failed(String)
}

/// Everything the version page shows: the version, its signature check, its audit entries, its
/// model's alias history, and the model's version numbers (for the previous and next links).
struct VersionPageData: Sendable {
    let version: ModelVersion
    let signature: SignatureCheck
    let audit: [AuditEntry]
    let aliasMoves: [AliasMove]
    let versionNumbers: [Int]
}
