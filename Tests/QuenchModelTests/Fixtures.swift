import Foundation
import Testing

/// Where the reference fixtures and the real model live.
enum Fixtures {
    /// `../shared/fixtures` beside the repository (CI clones main with shared/ beside it).
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/QuenchModelTests/Fixtures.swift → repo
        return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }()

    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    /// SmolLM2-135M-Instruct (GGUF) fetched by `make setup`, or nil with a loud message when absent.
    static var smolLM2: URL? {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["QUENCH_CACHE"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/quench")
        let url = cache.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("⚠️  SKIPPING: SmolLM2-135M-Instruct is not at \(url.path); run `make setup` to fetch it.")
            return nil
        }
        return url
    }
}
