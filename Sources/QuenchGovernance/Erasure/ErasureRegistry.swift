/// The registry as erasure needs it: which registered versions were trained on a dataset, and a way
/// to flag them. A protocol because the registry store is swapped in tests and deployments.
public protocol ErasureRegistry {
    /// Versions (e.g. `name@3`) whose lineage includes the dataset fingerprint (`sha256:<hex>`).
    func versions(withDatasetFingerprint fingerprint: String) throws -> [String]
    /// Marks `version` for review, recording `reason`.
    func markForReview(version: String, reason: String) throws
}
