import Foundation
import Testing

/// Where `make setup` puts the demo model, SmolLM2-135M-Instruct (GGUF, Q4_1): the same place as
/// `QuenchModel.DemoModel.url` (a model test checks they agree), known here without linking the model.
public enum DemoModelFile {
    /// `$QUENCH_CACHE/models/SmolLM2-135M-Instruct.Q4_1.gguf`, QUENCH_CACHE defaulting to `~/.cache/quench`.
    public static var url: URL {
        let cache = ProcessInfo.processInfo.environment["QUENCH_CACHE"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/quench")
        return cache.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")
    }

    /// Whether the demo model has been fetched.
    public static var isAvailable: Bool { FileManager.default.fileExists(atPath: url.path) }

    /// The path the quickstart spec (jobs/smollm2-135m_lora_quickstart.yaml) names, whatever QUENCH_CACHE says.
    public static var quickstartURL: URL {
        FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/quench/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only when the demo model is present; otherwise the report shows it skipped, never passed.
    public static var requiresDemoModel: Self {
        .enabled(if: DemoModelFile.isAvailable, "SmolLM2-135M-Instruct is not at \(DemoModelFile.url.path); run `make setup` to fetch it")
    }

    /// Runs the test only when the demo model is where the quickstart spec names it; otherwise skipped.
    public static var requiresQuickstartModel: Self {
        .enabled(if: FileManager.default.fileExists(atPath: DemoModelFile.quickstartURL.path),
                 "the quickstart's model is not at \(DemoModelFile.quickstartURL.path); run `make setup` to fetch it")
    }

    /// Runs the test only when every program in `paths` is installed (an executable file there);
    /// otherwise the report shows it skipped, naming what is missing. The servers list theirs
    /// (`NginxServer.programs`, `SSHServer.programs`, `SlurmCluster.programs`).
    public static func requiresPrograms(_ paths: [String]) -> Self {
        let missing = paths.filter { !FileManager.default.isExecutableFile(atPath: $0) }
        return .enabled(if: missing.isEmpty, "not installed: \(missing.joined(separator: ", ")) (make setup installs the test tools)")
    }
}
