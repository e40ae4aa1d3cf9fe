import Foundation
import QuenchFiles
import QuenchGovernance
import QuenchRegistry

/// The registry as data governance sees it: erasure finds and flags the versions trained on an
/// erased dataset; garbage collection keeps what registered versions reference.
public struct RegistryGovernance: ErasureRegistry, ProtectedPathSource {
    let registry: Registry
    /// The runs folder whose registered runs `quench gc` must keep.
    let runs: URL

    /// Opens the registry the way `quench registry` does (QUENCH_HOME, QUENCH_REGISTRY_CONFIG), or
    /// nil when this machine has no registry yet (nothing registered, so nothing to flag or keep).
    public static func openIfPresent(runs: URL = URL(fileURLWithPath: "runs")) throws -> RegistryGovernance? {
        let database = QuenchHome.resolve().registryDatabase
        guard FileManager.default.fileExists(atPath: database.path) else { return nil }
        return RegistryGovernance(registry: try Registry.open(home: nil, config: nil), runs: runs)
    }

    public func versions(withDatasetFingerprint fingerprint: String) throws -> [String] {
        try registry.versions(withDatasetFingerprint: fingerprint).map(\.subject)
    }

    public func markForReview(version: String, reason: String) throws {
        _ = try registry.markForReview(version: try VersionReference(parsing: version), reason: reason)
    }

    /// Every version's artifact folder, and every run folder whose model was registered.
    public func protectedPaths() throws -> [String] {
        let artifacts = try registry.list().map(\.artifactDirectory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []
        let registeredRuns = names.map { runs.appendingPathComponent($0) }.filter {
            FileManager.default.fileExists(atPath: RunDirectory(url: $0).result(.register).path)
        }.map(\.path)
        return artifacts + registeredRuns
    }
}
