import Foundation
import Testing
@testable import QuenchHub
import QuenchTestSupport

/// What an attacker with write access to the cache folder might plant where a download goes, and a
/// listing that declares a file too large to be real.
@Suite struct PartialFileSafetyTests {
    let root: URL

    init() throws {
        root = try TemporaryDirectory.create("partial")
    }

    @Test func aSymbolicLinkAtThePartialFileIsNotWrittenThrough() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let victim = root.appendingPathComponent("victim.txt")
        try Data("precious".utf8).write(to: victim)
        let incomplete = root.appendingPathComponent("blob.incomplete")
        try FileManager.default.createSymbolicLink(at: incomplete, withDestinationURL: victim)
        #expect(throws: HubError.self) {
            _ = try BlobWriter(path: "model.safetensors", url: incomplete, expectedSize: 4, gitBlob: false) { _ in }
        }
        #expect(try Data(contentsOf: victim) == Data("precious".utf8))
    }

    @Test func aFIFOAtThePartialFileIsRefusedWithoutHanging() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let incomplete = root.appendingPathComponent("blob.incomplete")
        #expect(mkfifo(incomplete.path, 0o644) == 0)
        #expect(throws: HubError.cacheIO(path: incomplete.path, reason: "a FIFO (named pipe) where a partial download belongs; remove it")) {
            _ = try BlobWriter(path: "model.safetensors", url: incomplete, expectedSize: 4, gitBlob: false) { _ in }
        }
    }

    @Test func aPartialFileLongerThanTheFileRestarts() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let incomplete = root.appendingPathComponent("blob.incomplete")
        try Data("0123456789".utf8).write(to: incomplete)
        let writer = try BlobWriter(path: "config.json", url: incomplete, expectedSize: 4, gitBlob: false) { _ in }
        #expect(writer.written == 0)
    }

    @Test func aDeclaredSizeAboveTheCapIsRefusedBeforeDownloading() throws {
        let huge = RevisionListing(sha: String(repeating: "a", count: 40), siblings: [
            .init(rfilename: "config.json", size: 10, blobId: String(repeating: "b", count: 40), lfs: nil),
            .init(rfilename: "model.safetensors", size: nil, blobId: nil,
                  lfs: .init(sha256: String(repeating: "c", count: 64), size: 1 << 50)),
        ])
        #expect(throws: HubError.self) {
            _ = try SnapshotPlan(listing: huge, repo: "quench/huge", pins: [:], policy: FilePolicy(allowPatterns: nil, ignorePatterns: nil))
        }
        let plan = try SnapshotPlan(listing: huge, repo: "quench/huge", pins: [:],
                                    policy: FilePolicy(allowPatterns: nil, ignorePatterns: nil), maxFileSize: 1 << 51)
        #expect(plan.files.count == 2)
    }
}
