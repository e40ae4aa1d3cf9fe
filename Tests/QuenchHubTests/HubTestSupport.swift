import Foundation
import Testing
@testable import QuenchHub

/// Starts a `TestHub` for `repos`, runs `body` with it and a fresh cache folder, and always stops nginx.
func withTestHub<T>(_ repos: [FixtureRepo], _ body: (TestHub, URL) async throws -> T) async throws -> T {
    let hub = try TestHub(repos: repos)
    defer { hub.stop() }
    return try await body(hub, hub.directory.appendingPathComponent("cache"))
}

/// Runs `body`, which must fail with a `HubError`; returns it (nil, with an issue recorded, otherwise).
func hubError(_ body: () async throws -> Void) async -> HubError? {
    do {
        try await body()
        Issue.record("expected a HubError, but the call succeeded")
    } catch let error as HubError {
        return error
    } catch {
        Issue.record("expected a HubError, got \(error)")
    }
    return nil
}

/// Deterministic bytes that differ with `seed`.
func fixtureBytes(_ count: Int, seed: UInt8) -> Data {
    var data = Data(count: count)
    data.withUnsafeMutableBytes { buffer in
        var state = UInt32(seed) &* 2_654_435_761 &+ 1
        for index in 0..<buffer.count {
            state = state &* 1_664_525 &+ 1_013_904_223
            buffer[index] = UInt8(truncatingIfNeeded: state >> 24)
        }
    }
    return data
}

/// A typical small model repository: configs, a tokenizer, safetensors weights (LFS), and a pickle copy.
func tinyRepo(_ id: String = "quench/tiny", weights: Int = 300_000) -> FixtureRepo {
    FixtureRepo(id, files: [
        FixtureFile("config.json", Data(#"{"model_type": "llama", "hidden_size": 64}"#.utf8), lfs: false),
        FixtureFile("tokenizer.json", Data(#"{"model": {"type": "BPE"}}"#.utf8), lfs: false),
        FixtureFile("README.md", Data("# tiny\n".utf8), lfs: false),
        FixtureFile("model.safetensors", fixtureBytes(weights, seed: 1), lfs: true),
        FixtureFile("pytorch_model.bin", fixtureBytes(1000, seed: 2), lfs: true),
    ])
}

/// Every entry under `directory`, as relative paths.
func listing(_ directory: URL) -> [String] {
    (FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String] ?? []).sorted()
}
