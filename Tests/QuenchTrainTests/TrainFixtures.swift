import Foundation
import QuenchModel
import Testing

/// `../shared/fixtures` beside the repository, and the demo model.
enum TrainFixtures {
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }()

    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    /// SmolLM2-135M-Instruct fetched by `make setup`, or nil with a loud message when absent.
    static var smolLM2: URL? {
        guard FileManager.default.fileExists(atPath: DemoModel.url.path) else {
            print("⚠️  SKIPPING: SmolLM2-135M-Instruct is not at \(DemoModel.url.path); run `make setup` to fetch it.")
            return nil
        }
        return DemoModel.url
    }
}
