import Foundation
import QuenchFiles
import Testing

/// `$QUENCH_HOME` is resolved in one place, and every folder and file Quench keeps there is named by it.
@Suite struct QuenchHomeTests {
    @Test func defaultKeyDirectoryFollowsQuenchHome() {
        #expect(QuenchHome.resolve(environment: ["QUENCH_HOME": "/srv/quench"]).keys.path == "/srv/quench/keys")
        #expect(QuenchHome.resolve(environment: [:]).keys.path.hasSuffix(".local/share/quench/keys"))
    }

    @Test func anEmptyValueMeansTheDefaultAndATildeIsTheUsersHome() {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        #expect(QuenchHome.resolve(environment: ["QUENCH_HOME": ""]) == QuenchHome.resolve(environment: [:]))
        #expect(QuenchHome.resolve(environment: ["QUENCH_HOME": "~/q"]).root.path == URL(fileURLWithPath: home).appendingPathComponent("q").path)
    }

    @Test func namesEverythingKeptThere() {
        let home = QuenchHome.resolve(environment: ["QUENCH_HOME": "/srv/quench"])
        #expect([home.signingKey, home.signingPublicKey, home.registryDatabase, home.auditCheckpoints, home.artifactObjects,
                 home.artifactStaging, home.models, home.jobs, home.work].map(\.path) == [
            "/srv/quench/keys/signing.key", "/srv/quench/keys/signing.pub", "/srv/quench/registry.sqlite",
            "/srv/quench/audit/checkpoints.jsonl", "/srv/quench/objects/sha256", "/srv/quench/staging", "/srv/quench/models",
            "/srv/quench/jobs", "/srv/quench/work",
        ])
    }
}
