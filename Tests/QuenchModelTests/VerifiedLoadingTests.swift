import Foundation
import Synchronization
import QuenchModel
import Testing
import QuenchTestSupport

/// `ModelBundle.open(_:verifying:)`: the model is built from the very bytes the caller's check saw.
@Suite struct VerifiedLoadingTests {
    /// A test check's refusal, naming the file.
    struct Refused: Error, Equatable {
        let file: String
    }

    /// A copy of the tiny Llama checkpoint in a fresh folder, removed by the caller.
    static func tinyLlamaCopy() throws -> URL {
        try SharedFixtures.copy(["config.json", "model.safetensors"], of: "tiny-llama")
    }

    /// A check accepting exactly the bytes each file held when this was made (a stand-in for a hash).
    static func check(recording folder: URL, afterAccepting: @escaping @Sendable (URL) -> Void = { _ in }) throws -> FileCheck {
        var verified: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            verified[folder.appendingPathComponent(name).standardizedFileURL.path] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return FileCheck { [verified] url, bytes in
            guard verified[url.standardizedFileURL.path] == Data(bytes) else { throw Refused(file: url.lastPathComponent) }
            afterAccepting(url)
        }
    }

    /// Rewrites 64 bytes at the start of the weights in place (same size): floats 0.5 instead of the trained values.
    static func overwriteWeights(in folder: URL) throws {
        let weights = folder.appendingPathComponent("model.safetensors")
        let handle = try FileHandle(forUpdating: weights)
        defer { try? handle.close() }
        let length = try #require(try handle.read(upToCount: 8)).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        try handle.seek(toOffset: 8 + UInt64(littleEndian: length))
        try handle.write(contentsOf: Data((0..<16).flatMap { _ in withUnsafeBytes(of: Float(0.5).bitPattern.littleEndian, Array.init) }))
    }

    @Test func aFileChangedAfterVerificationIsRefusedWithTheChecksOwnError() throws {
        let folder = try Self.tinyLlamaCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let check = try Self.check(recording: folder)
        try Self.overwriteWeights(in: folder)
        #expect(throws: Refused(file: "model.safetensors")) { try ModelBundle.open(folder, verifying: check) }
    }

    @Test func theModelIsBuiltFromTheCheckedBytesEvenIfTheFileChangesRightAfterTheCheck() throws {
        let folder = try Self.tinyLlamaCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let expected = try ModelBundle.open(folder).model
        // The file is swapped on disk the moment its bytes are accepted, before they are parsed.
        let check = try Self.check(recording: folder) { url in
            if url.lastPathComponent == "model.safetensors" { try? Self.overwriteWeights(in: folder) }
        }
        let loaded = try ModelBundle.open(folder, verifying: check).model
        let swapped = try ModelBundle.open(folder).model
        var differsFromSwapped = false
        for spec in expected.specs {
            let verified = try expected.parameter(spec.name).toArray()
            #expect(try loaded.parameter(spec.name).toArray() == verified, "\(spec.name)")
            let swappedValues = try swapped.parameter(spec.name).toArray()
            differsFromSwapped = differsFromSwapped || swappedValues != verified
        }
        #expect(differsFromSwapped, "the swap must change what an unchecked open reads")
    }

    @Test func everyFileTheLoaderReadsPassesTheCheck() throws {
        let folder = try Self.tinyLlamaCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let seen = SeenFiles()
        _ = try ModelBundle.open(folder, verifying: FileCheck { url, _ in seen.insert(url.lastPathComponent) })
        #expect(seen.names == ["config.json", "model.safetensors"])
    }
}

/// File names a check saw (checks are `@Sendable`).
final class SeenFiles: Sendable {
    private let storage = Mutex<Set<String>>([])
    func insert(_ name: String) { storage.withLock { _ = $0.insert(name) } }
    var names: Set<String> { storage.withLock { $0 } }
}
