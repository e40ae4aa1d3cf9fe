import Foundation
import QuenchTestSupport
import QuenchTrain
import Testing

/// The standalone training configurations shipped in jobs/training: each loads, its first line is
/// the command that runs it, and one launched on several ranks has a gradient_accumulation those
/// ranks can share (a launch of that many ranks would refuse it before the first step).
@Suite struct ShippedTrainingConfigTests {
    static let folder = SharedFixtures.repository.appendingPathComponent("jobs/training")

    /// Every .yaml file in jobs/training, by name.
    static func configs() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    /// The words of the command in the first line of `config` (`# command ...`).
    static func command(of config: URL) throws -> [String] {
        let first = try #require(try String(contentsOf: config, encoding: .utf8).split(separator: "\n").first)
        try #require(first.hasPrefix("# "), "\(config.lastPathComponent) does not start with its command")
        return first.dropFirst(2).split(separator: " ").map(String.init)
    }

    @Test func everyShippedConfigLoadsAndItsFirstLineRunsIt() throws {
        let configs = try Self.configs()
        #expect(configs.map(\.lastPathComponent).contains("smollm2-135m_lora_temperature-2-ranks.yaml"), "\(configs)")
        for config in configs {
            _ = try TrainingConfig.load(contentsOf: config)
            let words = try Self.command(of: config)
            let train = try #require(words.firstIndex(of: "quench"), "\(words)")
            #expect(Array(words[train...]) == ["quench", "train", "jobs/training/\(config.lastPathComponent)"], "\(words)")
        }
    }

    @Test func aConfigLaunchedOnRanksHasAnAccumulationTheyShare() throws {
        var launched = 0
        for config in try Self.configs() {
            let words = try Self.command(of: config)
            guard words.first == "mpirun" else { continue }
            let np = try #require(words.firstIndex(of: "-np"), "\(words)")
            let ranks = try #require(words.dropFirst(np + 1).first.flatMap { Int($0) }, "no rank count after -np: \(words)")
            let accumulation = try TrainingConfig.load(contentsOf: config).gradientAccumulation
            #expect(throws: Never.self, "\(config.lastPathComponent): \(ranks) ranks, gradient_accumulation \(accumulation)") {
                try RankShare.requireShareable(accumulation: accumulation, ranks: ranks)
            }
            launched += 1
        }
        #expect(launched > 0, "no shipped configuration is launched with mpirun")
    }
}
