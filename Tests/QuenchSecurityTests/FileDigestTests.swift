import Foundation
import QuenchSecurity
import Testing

@Suite struct FileDigestTests {
    @Test func matchesKnownVectorsAndStreamsLargeFiles() throws {
        #expect(FileDigest.sha256(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        // 3 MiB + 5 bytes crosses several read blocks; the streamed hash must equal the one-shot hash.
        let data = Data((0..<(3 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try data.write(to: url)
        #expect(try FileDigest.sha256(of: url) == FileDigest.sha256(of: data))
        #expect(throws: FileDigest.Failure.self) { try FileDigest.sha256(of: url.appendingPathExtension("missing")) }
    }

    /// A FIFO named like a model file is refused at once; the old open blocked waiting for a writer.
    @Test(.timeLimit(.minutes(1))) func refusesAFIFOWithoutWaitingForAWriter() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("digest-fifo-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(mkfifo(url.path, 0o600) == 0)
        let failure = #expect(throws: FileDigest.Failure.self) { try FileDigest.sha256(of: url) }
        #expect(failure?.description.contains("not a regular file") == true)
        #expect(failure?.description.contains(url.path) == true)
    }
}
