import Foundation

/// Download throughput through Quench's real path (libcurl, the write callback, SHA-256 while
/// streaming, a file on disk) and the SHA-256 rate alone, for comparing with the curl command line.
public struct DownloadBenchmarkReport: Sendable, Equatable, Codable {
    public let url: String
    public let bytes: Int64
    /// Median download time over the runs, until the last byte is written and hashed (as curl's figure).
    public let seconds: Double
    /// Median time of the fsync a real download adds before renaming the blob into the cache.
    public let fsyncSeconds: Double
    public let megabytesPerSecond: Double
    public let sha256: String
    /// SHA-256 of a 256 MiB buffer in memory, in MB/s (1 MB = 10^6 bytes).
    public let sha256MegabytesPerSecond: Double
}

/// Runs the download benchmark (`quench bench download`).
public enum DownloadBenchmark {
    /// Downloads `url` `runs` times into `directory` (deleting each copy), checking `expectedSHA256` when given.
    public static func run(url: URL, settings: CurlSettings, expectedSHA256: String?, runs: Int, directory: URL) throws -> DownloadBenchmarkReport {
        let transport = CurlTransport(settings: settings)
        let head = MemorySink(url: url)
        let size = try transport.perform(HTTPRequest(method: .head, url: url), into: head).header("content-length").flatMap { Int64($0) }
        guard let size else { throw HubError.malformedResponse(url: url.absoluteString, reason: "no Content-Length to size the download") }
        var times: [Double] = []
        var syncs: [Double] = []
        var sha256 = ""
        for run in 0..<max(1, runs) {
            let file = directory.appendingPathComponent(".quench-bench-\(run).incomplete")
            defer { unlink(file.path) }
            let writer = try BlobWriter(path: url.lastPathComponent, url: file, expectedSize: size, gitBlob: false) { _ in }
            let start = Date()
            let answer = try transport.perform(HTTPRequest(url: url), into: writer)
            let transferred = Date()
            times.append(transferred.timeIntervalSince(start))
            try writer.sync()
            syncs.append(Date().timeIntervalSince(transferred))
            guard answer.status == 200, writer.written == size else { throw HubError.unexpectedStatus(url: url.absoluteString, status: answer.status) }
            sha256 = writer.digest.finalize().sha256
            if let expectedSHA256, sha256 != expectedSHA256.lowercased() {
                throw HubError.hashMismatch(file: url.lastPathComponent, algorithm: "sha256", expected: expectedSHA256, actual: sha256)
            }
        }
        let median = times.sorted()[times.count / 2]
        return DownloadBenchmarkReport(url: url.absoluteString, bytes: size, seconds: median, fsyncSeconds: syncs.sorted()[syncs.count / 2],
                                       megabytesPerSecond: Double(size) / median / 1e6, sha256: sha256,
                                       sha256MegabytesPerSecond: hashRate())
    }

    /// MB/s of `StreamingDigest` over 256 MiB in 1 MiB chunks (the size curl hands the write callback is smaller).
    private static func hashRate() -> Double {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        for index in 0..<chunk.count { chunk[index] = UInt8(truncatingIfNeeded: index &* 131) }
        var digest = StreamingDigest(gitBlobSize: nil)
        let start = Date()
        for _ in 0..<256 { digest.update(UnsafeRawBufferPointer(chunk)) }
        let seconds = Date().timeIntervalSince(start)
        _ = digest.finalize()
        return Double(256 << 20) / seconds / 1e6
    }
}
