import Foundation
import Testing
@testable import QuenchHub
import QuenchTestSupport

/// Hash and size checks, resume after a cut, servers that ignore Range or answer 416, pins.
@Suite(.serialized) struct HubIntegrityTests {
    @Test(.requiresPrograms(NginxServer.programs)) func aCorruptedFileIsDetectedAndNothingIsLeftInTheCache() async throws {
        var repo = tinyRepo("quench/corrupt")
        var corrupted = repo.files[3].content
        corrupted[1000] ^= 0xff
        repo.files[3] = FixtureFile("model.safetensors", repo.files[3].content, lfs: true, served: corrupted)
        try await withTestHub([repo]) { hub, cache in
            let downloader = HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
            let error = await hubError { _ = try await downloader.snapshot(repo: "quench/corrupt") }
            guard case .hashMismatch(let file, _, let expected, let actual)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(file == "model.safetensors" && expected == repo.files[3].sha256 && actual != expected)
            let root = cache.appendingPathComponent("models--quench--corrupt")
            #expect(!listing(root).contains { $0.contains(repo.files[3].sha256) || $0.contains("model.safetensors") })
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("quench-manifests").path))
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func aLongerFileIsStoppedInTheWriteCallback() async throws {
        var repo = tinyRepo("quench/long")
        repo.files[3] = FixtureFile("model.safetensors", repo.files[3].content, lfs: true, served: repo.files[3].content + Data(count: 4096))
        try await withTestHub([repo]) { hub, cache in
            let downloader = HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
            let error = await hubError { _ = try await downloader.snapshot(repo: "quench/long") }
            guard case .sizeMismatch(let file, let expected, _)? = error else { Issue.record("got \(String(describing: error))"); return }
            #expect(file == "model.safetensors" && expected == 300_000)
            #expect(!listing(cache).contains { $0.hasSuffix(".incomplete") })
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func aConnectionCutMidFileIsResumedWithRange() async throws {
        var repo = tinyRepo("quench/cut", weights: 6_000_000)
        repo.cdnRoute = "slow"
        let weights = repo.files[3]
        try await withTestHub([repo]) { hub, cache in
            let downloader = HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
            let pull = Task { try await downloader.snapshot(repo: "quench/cut") }
            let incomplete = cache.appendingPathComponent("models--quench--cut/blobs/\(weights.sha256).incomplete")
            var waited = 0
            while (CacheFiles.size(of: incomplete) ?? 0) < 1_000_000, waited < 400 {
                try await Task.sleep(nanoseconds: 25_000_000)
                waited += 1
            }
            let cutAt = try #require(CacheFiles.size(of: incomplete))
            hub.killWorkers()  // nginx's worker dies mid-transfer; the master starts a new one
            let snapshot = try await pull.value
            #expect(snapshot.files.first { $0.path == "model.safetensors" }?.sha256 == weights.sha256)
            let resumed = hub.cdnLog.split(separator: "\n").filter { $0.contains(" 206 ") && $0.contains("range=\"bytes=") }
            #expect(resumed.count == 1, "the CDN log shows no resumed request: \(hub.cdnLog)")
            #expect(cutAt > 0 && cutAt < 6_000_000)
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func aPartialFileFromAnEarlierRunIsResumedAndTheHashCoversAllOfIt() async throws {
        let repo = tinyRepo("quench/resume", weights: 1_000_000)
        let weights = repo.files[3]
        try await withTestHub([repo]) { hub, cache in
            let blobs = cache.appendingPathComponent("models--quench--resume/blobs")
            try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
            try weights.content.prefix(400_000).write(to: blobs.appendingPathComponent("\(weights.sha256).incomplete"))
            let snapshot = try await HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
                .snapshot(repo: "quench/resume")
            #expect(snapshot.files.first { $0.path == "model.safetensors" }?.sha256 == weights.sha256)
            #expect(hub.cdnLog.contains("206 auth=\"-\" range=\"bytes=400000-\" sent=600000"), "\(hub.cdnLog)")
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func aServerIgnoringRangeRestartsTheFileAndTheHash() async throws {
        var repo = tinyRepo("quench/norange", weights: 1_000_000)
        repo.cdnRoute = "norange"
        let weights = repo.files[3]
        try await withTestHub([repo]) { hub, cache in
            let blobs = cache.appendingPathComponent("models--quench--norange/blobs")
            try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
            // A wrong prefix: were it kept, the hash would fail.
            try Data(count: 400_000).write(to: blobs.appendingPathComponent("\(weights.sha256).incomplete"))
            let snapshot = try await HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
                .snapshot(repo: "quench/norange")
            #expect(snapshot.files.first { $0.path == "model.safetensors" }?.sha256 == weights.sha256)
            #expect(hub.cdnLog.contains("200 auth=\"-\" range=\"bytes=400000-\" sent=1000000"), "\(hub.cdnLog)")
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func aCompletePartialFileAnswered416IsVerifiedNotRefetched() async throws {
        let repo = tinyRepo("quench/full", weights: 500_000)
        let weights = repo.files[3]
        try await withTestHub([repo]) { hub, cache in
            let blobs = cache.appendingPathComponent("models--quench--full/blobs")
            try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
            try weights.content.write(to: blobs.appendingPathComponent("\(weights.sha256).incomplete"))
            let snapshot = try await HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
                .snapshot(repo: "quench/full")
            #expect(snapshot.files.first { $0.path == "model.safetensors" }?.sha256 == weights.sha256)
            #expect(hub.cdnLog.contains(" 416 "), "\(hub.cdnLog)")
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func pinsAreCheckedAgainstTheHubBeforeDownloading() async throws {
        let repo = tinyRepo("quench/pinned")
        try await withTestHub([repo]) { hub, cache in
            let downloader = HubDownloader(configuration: try hub.configuration(cache: cache, token: hub.token))
            let wrong = String(repeating: "ab", count: 32)
            let error = await hubError { _ = try await downloader.snapshot(repo: "quench/pinned", pins: ["model.safetensors": wrong]) }
            #expect(error == .pinMismatch(file: "model.safetensors", pinned: wrong, hub: repo.files[3].sha256))
            #expect(hub.cdnLog.isEmpty)

            let pinned = try await downloader.snapshot(repo: "quench/pinned", pins: ["config.json": repo.files[0].sha256])
            #expect(pinned.files[0].verifiedAgainst == ["hub git blob sha1", "pinned sha256"])
        }
    }
}
