import Foundation
import QuenchDispatch
import QuenchDistributed
@testable import QuenchJobs
import QuenchSecurity
import QuenchTestSupport
import Testing

/// Rank 1 of a bundle trained by 2 ranks, in process: it learns that rank 0 could not prepare the
/// bundle instead of waiting for it, checks a model rank 0 fetched before reading it, and says what
/// to change when rank 0's download outlasts its wait. Rank 0 places the fetched files themselves,
/// not links into its own hub cache, which the other nodes do not see.
@Suite struct BundleTrainingRanksTests {
    /// Rank 1 of 2, whose partner's contribution to every sum of doubles is `partner` (or whose sums
    /// all fail with `failure`); nothing here reaches the collectives of training.
    final class SecondRank: ProcessGroup {
        let partner: [Double]
        let failure: DistributedError?
        private(set) var operations: [String] = []

        init(partner: [Double], failure: DistributedError? = nil) {
            self.partner = partner
            self.failure = failure
        }

        var rank: Int { 1 }
        var size: Int { 2 }

        func startSum(_ values: UnsafeMutableBufferPointer<Float>, _ operation: Collective) throws(DistributedError) -> any PendingCollective {
            throw .collectiveFailed(operation: operation.description, rank: 1, code: 0, message: "not expected in these tests")
        }

        func sum(_ values: inout [Double], _ operation: Collective) throws(DistributedError) {
            operations.append(operation.name)
            if let failure { throw failure }
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

    static let configBytes = Data("{}".utf8)
    static let weightBytes = Data(repeating: 3, count: 64)

    /// A bundle in `folder` whose model is a reference to a config.json and a model.safetensors.
    static func referencingBundle(in folder: URL, config: URL) throws -> JobBundle {
        let reference = try ModelReference(repo: "org/model", commit: String(repeating: "0123456789", count: 4),
                                           files: ["config.json": FileDigest.sha256(of: configBytes),
                                                   "model.safetensors": FileDigest.sha256(of: weightBytes)])
        return try TrainingBundle.create(trainingConfig: config, model: .reference(reference),
                                         at: folder.appendingPathComponent("bundle"), quenchVersion: "9.9.9", baseDirectory: folder)
    }

    @Test func rankOneChecksTheModelRankZeroFetched() throws {
        let (folder, config, _) = try TrainingBundleTests.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (configBytes, weightBytes) = (Self.configBytes, Self.weightBytes)
        let bundle = try Self.referencingBundle(in: folder, config: config)
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

    @Test func rankOneWhoseWaitForRankZerosDownloadRunsOutSaysWhatToChange() throws {
        let (folder, config, _) = try TrainingBundleTests.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = try Self.referencingBundle(in: folder, config: config)
        let timedOut = DistributedError.timedOut(operation: "bundle ready", rank: 1, seconds: 5)
        #expect {
            try BundleTraining.run(at: bundle.directory, quenchVersion: "9.9.9", group: SecondRank(partner: [0], failure: timedOut),
                                   progress: { _ in })
        } throws: { error in
            let text = "\(error)"
            return error is DispatchError && text.contains(bundle.directory.appendingPathComponent("control/model").path)
                && text.contains("rank 0 had not fetched org/model into it after 5 s")
                && text.contains("set QUENCH_COLLECTIVE_TIMEOUT above the time the model takes to download")
        }

        // A bundle that carries its model has no download to wait for: the collective's own error.
        let (sentFolder, sentConfig, _) = try TrainingBundleTests.sources()
        defer { try? FileManager.default.removeItem(at: sentFolder) }
        let sent = try TrainingBundle.create(trainingConfig: sentConfig, model: .configured(fallback: nil),
                                             at: sentFolder.appendingPathComponent("bundle"), quenchVersion: "9.9.9", baseDirectory: sentFolder)
        #expect(throws: timedOut) {
            try BundleTraining.run(at: sent.directory, quenchVersion: "9.9.9", group: SecondRank(partner: [0], failure: timedOut),
                                   progress: { _ in })
        }
    }

    /// The inode number and link count of the file at `url` (not following a link).
    static func inode(_ url: URL) throws -> (number: UInt64, links: UInt64, regular: Bool) {
        var info = stat()
        try #require(lstat(url.path, &info) == 0, "cannot stat \(url.path)")
        return (UInt64(info.st_ino), UInt64(info.st_nlink), info.st_mode & S_IFMT == S_IFREG)
    }

    @Test func filesForOtherNodesAreHardLinksOnOneFileSystemNotLinksIntoTheCache() throws {
        let folder = try TemporaryDirectory.create("place-files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cached = folder.appendingPathComponent("hub/blobs/abc")
        try FileManager.default.createDirectory(at: cached.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.weightBytes.write(to: cached)
        let expected = FileDigest.sha256(of: Self.weightBytes)

        let placed = folder.appendingPathComponent("bundle/control/model/sub/model.safetensors")
        try ReferencedModel.place(cached, at: placed, sha256: expected, as: .files)
        let (file, blob) = (try Self.inode(placed), try Self.inode(cached))
        #expect(file.regular && file.number == blob.number && file.links == 2, "\(file) against the cached \(blob)")
        #expect(try Data(contentsOf: placed) == Self.weightBytes)

        let linked = folder.appendingPathComponent("alone/model.safetensors")
        try ReferencedModel.place(cached, at: linked, sha256: expected, as: .linksIntoCache)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: linked.path) == cached.path)
    }

    @Test func aCopyIsRenamedIntoPlaceOnlyWhenItsBytesHaveTheReferencesSha256() throws {
        let folder = try TemporaryDirectory.create("place-copy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cached = folder.appendingPathComponent("cached")
        try Self.weightBytes.write(to: cached)
        let destination = folder.appendingPathComponent("model/model.safetensors")
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)

        let wrong = FileDigest.sha256(of: Self.configBytes)
        #expect(throws: DispatchError.digestMismatch(path: cached.path, expected: wrong, found: FileDigest.sha256(of: Self.weightBytes))) {
            try ReferencedModel.copy(cached, to: destination, sha256: wrong)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination.deletingLastPathComponent().path).isEmpty,
                "neither the file nor its partial copy is left")

        try ReferencedModel.copy(cached, to: destination, sha256: FileDigest.sha256(of: Self.weightBytes))
        let (copy, original) = (try Self.inode(destination), try Self.inode(cached))
        #expect(copy.regular && copy.number != original.number && copy.links == 1)
        #expect(try Data(contentsOf: destination) == Self.weightBytes)
    }

    /// /dev/shm when it is another file system than the temporary folder (a hard link cannot cross).
    static var otherFileSystem: URL? {
        var (shm, temporary) = (stat(), stat())
        guard stat("/dev/shm", &shm) == 0, stat(FileManager.default.temporaryDirectory.path, &temporary) == 0,
              shm.st_dev != temporary.st_dev else { return nil }
        return URL(fileURLWithPath: "/dev/shm")
    }

    @Test(.enabled(if: otherFileSystem != nil, "needs /dev/shm on another file system than the temporary folder"))
    func filesOnAnotherFileSystemAreCopies() throws {
        let shm = try #require(Self.otherFileSystem).appendingPathComponent("quench-place-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: shm) }
        try Self.weightBytes.write(to: shm)
        let folder = try TemporaryDirectory.create("place-across")
        defer { try? FileManager.default.removeItem(at: folder) }

        let placed = folder.appendingPathComponent("model/model.safetensors")
        try ReferencedModel.place(shm, at: placed, sha256: FileDigest.sha256(of: Self.weightBytes), as: .files)
        let file = try Self.inode(placed)
        #expect(file.regular && file.links == 1)
        #expect(try Data(contentsOf: placed) == Self.weightBytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: placed.deletingLastPathComponent().path) == ["model.safetensors"])
    }
}
