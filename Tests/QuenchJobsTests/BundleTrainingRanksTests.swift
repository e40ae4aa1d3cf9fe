import Foundation
import QuenchDispatch
import QuenchDistributed
@testable import QuenchJobs
import QuenchSecurity
import QuenchTestSupport
import Testing

/// Rank 1 of a bundle trained by 2 ranks, in process: it learns that rank 0 could not prepare the
/// bundle instead of waiting for it, and checks a model rank 0 fetched before reading it.
@Suite struct BundleTrainingRanksTests {
    /// Rank 1 of 2, whose partner's contribution to every sum of doubles is `partner`; nothing here
    /// reaches the collectives of training.
    final class SecondRank: ProcessGroup {
        let partner: [Double]
        private(set) var operations: [String] = []

        init(partner: [Double]) { self.partner = partner }

        var rank: Int { 1 }
        var size: Int { 2 }

        func startSum(_ values: UnsafeMutableBufferPointer<Float>, _ operation: Collective) throws(DistributedError) -> any PendingCollective {
            throw .collectiveFailed(operation: operation.description, rank: 1, code: 0, message: "not expected in these tests")
        }

        func sum(_ values: inout [Double], _ operation: Collective) throws(DistributedError) {
            operations.append(operation.name)
            for index in values.indices { values[index] += partner[index] }
        }

        func gather(_ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]] { [bytes, bytes] }

        func barrier(_ operation: Collective) throws(DistributedError) { operations.append(operation.name) }

        func abort(code: Int32) -> Never { exit(code) }

        func finish() {}
    }

    @Test func rankOneStopsWhenRankZeroCouldNotPrepareTheBundle() throws {
        let (folder, config, _) = try TrainingBundleTests.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = try TrainingBundle.create(trainingConfig: config, model: .configured(fallback: nil),
                                               at: folder.appendingPathComponent("bundle"), quenchVersion: "9.9.9", baseDirectory: folder)
        let group = SecondRank(partner: [1])
        #expect {
            try BundleTraining.run(at: bundle.directory, quenchVersion: "9.9.9", group: group, progress: { _ in })
        } throws: { error in
            "\(error)".contains("rank 0 could not prepare") && "\(error)".contains(bundle.directory.path)
        }
        #expect(group.operations == ["bundle ready"])
        #expect(!FileManager.default.fileExists(atPath: bundle.outputDirectory.path))
    }

    @Test func rankOneChecksTheModelRankZeroFetched() throws {
        let (folder, config, _) = try TrainingBundleTests.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (configBytes, weightBytes) = (Data("{}".utf8), Data(repeating: 3, count: 64))
        let reference = try ModelReference(repo: "org/model", commit: String(repeating: "0123456789", count: 4),
                                           files: ["config.json": FileDigest.sha256(of: configBytes),
                                                   "model.safetensors": FileDigest.sha256(of: weightBytes)])
        let bundle = try TrainingBundle.create(trainingConfig: config, model: .reference(reference),
                                               at: folder.appendingPathComponent("bundle"), quenchVersion: "9.9.9", baseDirectory: folder)
        let fetched = bundle.directory.appendingPathComponent("control/model")
        try FileManager.default.createDirectory(at: fetched, withIntermediateDirectories: true)
        try configBytes.write(to: fetched.appendingPathComponent("config.json"))
        let weights = fetched.appendingPathComponent("model.safetensors")

        #expect {
            try BundleTraining.run(at: bundle.directory, quenchVersion: "9.9.9", group: SecondRank(partner: [0]), progress: { _ in })
        } throws: { error in
            (error as? DispatchError) == .missingFile(path: weights.path)
        }
        try Data(repeating: 4, count: 64).write(to: weights)
        #expect {
            try BundleTraining.run(at: bundle.directory, quenchVersion: "9.9.9", group: SecondRank(partner: [0]), progress: { _ in })
        } throws: { error in
            guard case .digestMismatch(let path, let expected, _) = error as? DispatchError else { return false }
            return path == weights.path && expected == FileDigest.sha256(of: weightBytes)
        }
    }
}
