import Foundation
import Testing
@testable import QuenchHub
import QuenchTestSupport

/// Downloads from a real nginx hub on loopback: success, cache layout, tokens, offline mode.
@Suite(.serialized) struct HubDownloadTests {
    @Test(.requiresPrograms(NginxServer.programs)) func pullVerifiesEveryFileAndLaysOutTheSharedCache() async throws {
        try await withTestHub([tinyRepo()]) { hub, cache in
            let downloader = HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
            let snapshot = try await downloader.snapshot(repo: "quench/tiny")
            let repo = tinyRepo()
            #expect(snapshot.commit == repo.commit)
            #expect(snapshot.files.map(\.path) == ["config.json", "tokenizer.json", "README.md", "model.safetensors"])
            #expect(snapshot.refused == ["pytorch_model.bin"])
            let weights = try #require(snapshot.files.first { $0.path == "model.safetensors" })
            #expect(weights.sha256 == repo.files[3].sha256 && weights.verifiedAgainst == ["hub LFS sha256"])
            #expect(snapshot.files[0].verifiedAgainst == ["hub git blob sha1"])

            let root = cache.appendingPathComponent("models--quench--tiny")
            #expect(snapshot.directory == root.appendingPathComponent("snapshots/\(repo.commit)"))
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: snapshot.directory.appendingPathComponent("model.safetensors").path)
            #expect(link == "../../blobs/\(repo.files[3].sha256)")
            #expect(try Data(contentsOf: snapshot.directory.appendingPathComponent("model.safetensors")) == repo.files[3].content)
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("blobs/\(repo.files[0].gitSHA1)").path))
            #expect(try String(contentsOf: root.appendingPathComponent("refs/main"), encoding: .utf8) == repo.commit)
            #expect(!listing(root).contains { $0.hasSuffix(".incomplete") } && !listing(root).contains { $0.contains("pytorch_model") })
            let manifest = try SnapshotManifest.read(snapshot.manifest)
            #expect(manifest.files.count == 4 && manifest.commit == repo.commit)

            // The token went to the hub, never to the CDN host the LFS file was redirected to.
            #expect(hub.hubLog.contains("auth=\"Bearer \(hub.token)\""))
            #expect(hub.cdnLog.contains("/blobs/\(repo.files[3].sha256)") && !hub.cdnLog.contains(hub.token))
            #expect(!hub.cdnLog.contains("Bearer"))

            // A second pull re-hashes the cached blobs instead of downloading them again.
            let cdnRequests = hub.cdnLog.split(separator: "\n").count
            let again = try await downloader.snapshot(repo: "quench/tiny")
            #expect(again.files.allSatisfy(\.reusedFromCache) && hub.cdnLog.split(separator: "\n").count == cdnRequests)
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func missingAndWrongTokensSayWhatToDo() async throws {
        try await withTestHub([tinyRepo()]) { hub, cache in
            let anonymous = HubDownloader(configuration: try hub.configuration(cache: cache, token: nil))
            let missing = await hubError { _ = try await anonymous.snapshot(repo: "quench/tiny") }
            guard case .unauthorized? = missing else { Issue.record("expected 401, got \(String(describing: missing))"); return }
            #expect(missing?.description.contains("HF_TOKEN") == true)

            let wrong = HubDownloader(configuration: try hub.configuration(cache: cache, token: "hf_wrong_token_value"))
            let forbidden = await hubError { _ = try await wrong.snapshot(repo: "quench/tiny") }
            guard case .forbidden? = forbidden else { Issue.record("expected 403, got \(String(describing: forbidden))"); return }
            #expect(forbidden?.description.contains("hf_wrong_token_value") == false)
            #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("models--quench--tiny/snapshots").path))
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func twoConcurrentPullsOfTheSameFileShareOneBlob() async throws {
        try await withTestHub([tinyRepo(weights: 2_000_000)]) { hub, cache in
            let downloader = HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
            async let first = downloader.snapshot(repo: "quench/tiny")
            async let second = downloader.snapshot(repo: "quench/tiny")
            let (a, b) = try await (first, second)
            #expect(a.files.map(\.sha256) == b.files.map(\.sha256))
            // The lock serialised them: one downloaded the weights, the other found them cached.
            let weights = [a, b].compactMap { $0.files.first { $0.path == "model.safetensors" } }
            #expect(weights.filter(\.reusedFromCache).count == 1)
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func offlineModeResolvesFromTheCacheAndNamesWhatIsMissing() async throws {
        try await withTestHub([tinyRepo()]) { hub, cache in
            let online = HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
            let pulled = try await online.snapshot(repo: "quench/tiny")
            let requests = hub.hubLog.count + hub.cdnLog.count

            let offline = HubDownloader(configuration: try hub.configuration(cache: cache, token: nil, extra: ["HF_HUB_OFFLINE": "1"]))
            let found = try await offline.snapshot(repo: "quench/tiny")
            #expect(found.commit == pulled.commit)
            #expect(found.files.map { "\($0.path) \($0.sha256)" }.sorted() == pulled.files.map { "\($0.path) \($0.sha256)" }.sorted())
            #expect(found.files.allSatisfy { $0.verifiedAgainst == ["manifest sha256"] })
            #expect(hub.hubLog.count + hub.cdnLog.count == requests)

            let unknown = await hubError { _ = try await offline.snapshot(repo: "quench/other") }
            guard case .offlineMissing? = unknown else { Issue.record("got \(String(describing: unknown))"); return }

            try FileManager.default.removeItem(at: cache.appendingPathComponent("models--quench--tiny/blobs/\(tinyRepo().files[3].sha256)"))
            let missing = await hubError { _ = try await offline.snapshot(repo: "quench/tiny") }
            #expect(missing == .offlineMissing(repo: "quench/tiny", revision: "main", what: "model.safetensors"))
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func remoteCodeInConfigIsFlagged() async throws {
        var repo = tinyRepo("quench/remote")
        repo.files[0] = FixtureFile("config.json", Data(#"{"auto_map": {"AutoModel": "modeling.Model"}}"#.utf8), lfs: false)
        try await withTestHub([repo]) { hub, cache in
            let snapshot = try await HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
                .snapshot(repo: "quench/remote")
            #expect(snapshot.warnings.count == 1 && snapshot.warnings[0].contains("auto_map"))
        }
    }
}
