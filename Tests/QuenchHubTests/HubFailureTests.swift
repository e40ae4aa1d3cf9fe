import Foundation
import Testing
@testable import QuenchHub
import QuenchTestSupport

/// What the hub can answer besides success: 429, 404, hostile listings, pickle-only repositories.
@Suite(.serialized) struct HubFailureTests {
    @Test(.requiresPrograms(NginxServer.programs)) func rateLimitedRequestsWaitForRetryAfterThenSucceed() async throws {
        var repo = tinyRepo("quench/limited")
        repo.rateLimited = true
        try await withTestHub([repo]) { hub, cache in
            let start = Date()
            let snapshot = try await HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token, attempts: 5))
                .snapshot(repo: "quench/limited")
            #expect(snapshot.files.count == 4)
            #expect(hub.hubLog.contains("\" 429 "))
            // Each 429 carried Retry-After: 1, and the client waited that long before asking again.
            #expect(Date().timeIntervalSince(start) >= 1.0)
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func retriesAreBounded() async throws {
        var repo = tinyRepo("quench/limited")
        repo.rateLimited = true
        try await withTestHub([repo]) { hub, cache in
            let error = await hubError {
                _ = try await HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token, attempts: 1))
                    .snapshot(repo: "quench/limited")
            }
            guard case .rateLimited(_, let attempts)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(attempts == 1)
            #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("models--quench--limited/quench-manifests").path))
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func anUnknownRepositoryIs404WithAHint() async throws {
        try await withTestHub([tinyRepo()]) { hub, cache in
            let error = await hubError {
                _ = try await HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token)).snapshot(repo: "quench/absent")
            }
            guard case .notFound(_, let what)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(what.contains("quench/absent"))
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func aPathTraversalNameRefusesTheWholeSnapshot() async throws {
        var repo = tinyRepo("quench/evil")
        repo.extraNames = ["../../../etc/evil.json"]
        try await withTestHub([repo]) { hub, cache in
            let error = await hubError {
                _ = try await HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token)).snapshot(repo: "quench/evil")
            }
            #expect(error == .unsafeFileName(name: "../../../etc/evil.json", reason: "'..' segment"))
            #expect(hub.cdnLog.isEmpty && !hub.hubLog.contains("/resolve/"))
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func aPickleOnlyRepositoryIsRefused() async throws {
        let repo = FixtureRepo("quench/pickled", files: [
            FixtureFile("pytorch_model.bin", fixtureBytes(5000, seed: 3), lfs: true),
            FixtureFile("modeling_custom.py", Data("import os\n".utf8), lfs: false),
        ])
        try await withTestHub([repo]) { hub, cache in
            let error = await hubError {
                _ = try await HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token)).snapshot(repo: "quench/pickled")
            }
            #expect(error == .nothingToFetch(repo: "quench/pickled", refused: ["pytorch_model.bin", "modeling_custom.py"]))
            #expect(hub.cdnLog.isEmpty)
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func aHostOutsideTheAllowListIsNeverContacted() async throws {
        try await withTestHub([tinyRepo()]) { hub, cache in
            var configuration = try hub.configuration(cache: cache, token: hub.token)
            configuration.allowedHosts = HostAllowList(["127.0.0.1"])
            let error = await hubError { _ = try await HubDownloader(configuration: configuration).snapshot(repo: "quench/tiny") }
            guard case .hostNotAllowed(_, let host)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(host == "127.0.0.2" && hub.cdnLog.isEmpty)
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func withoutTheTestCAVerificationFails() async throws {
        try await withTestHub([tinyRepo()]) { hub, cache in
            var configuration = try hub.configuration(cache: cache, token: hub.token, attempts: 1)
            configuration.curl.caBundle = nil
            let error = await hubError { _ = try await HubDownloader(configuration: configuration).snapshot(repo: "quench/tiny") }
            guard case .transport(_, let reason)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(reason.lowercased().contains("certificate"))
        }
    }
}
