import Foundation
import QuenchFiles

/// Scan throughput on a synthetic JSONL dataset: chat-like records of ordinary prose with numbers,
/// capitalised words, dates and times, and a finding in about one record in ten.
public struct ScanBenchmark: Sendable {
    /// The measurement.
    public struct Report: Codable, Sendable {
        /// The scanned file.
        public let file: String
        /// Its size in bytes.
        public let bytes: Int
        /// Records in it.
        public let records: Int
        /// Findings the scan reported.
        public let findings: Int
        /// Best wall time of the timed scans, in seconds.
        public let seconds: Double
        /// Throughput on one core, in MB/s (10^6 bytes).
        public let megabytesPerSecond: Double

        /// One line for people.
        public func rendered() -> String {
            String(format: "scanned %.1f MB (%d records, %d findings) in %.3f s: %.0f MB/s on one core",
                   Double(bytes) / 1e6, records, findings, seconds, megabytesPerSecond)
        }
    }

    /// Timed scans; the fastest is reported (the first also warms the page cache).
    public let repetitions: Int

    /// A benchmark of `repetitions` scans.
    public init(repetitions: Int = 3) { self.repetitions = max(1, repetitions) }

    /// Scans `file` `repetitions` times on the calling thread.
    public func run(file: URL) throws -> Report {
        var best = Double.infinity
        var report = DataScanReport()
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            report = try DataScanner(policy: .standard, findingLimit: 100).scan(files: [file])
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let bytes = report.files.first?.bytes ?? 0
        return Report(file: file.path, bytes: bytes, records: report.files.first?.records ?? 0,
                      findings: report.totalFindings, seconds: best, megabytesPerSecond: Double(bytes) / 1e6 / best)
    }

    /// Writes a synthetic dataset of about `bytes` bytes to `url` (deterministic for a `seed`).
    public static func writeSyntheticDataset(to url: URL, bytes: Int, seed: UInt64 = 42) throws {
        do {
            let writer = try AtomicFile.Writer(destination: url)
            var state = seed
            func next(_ bound: Int) -> Int {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int((state >> 33) % UInt64(bound))
            }
            let words = ["the", "model", "learns", "from", "data", "and", "answers", "questions", "about", "Paris", "in",
                         "2024", "a", "small", "language", "training", "run", "took", "12:30", "minutes", "on", "CPU",
                         "with", "LoRA", "rank", "8", "version", "1.2.3", "Meeting", "notes", "customer", "asked", "for",
                         "invoice", "#4521", "delivery", "dates", "2023-10-12", "please", "check", "your", "order"]
            let findings = ["jane.roe@example.com", "+44 20 7946 0958", "(415) 555-2671", "10.0.0.1",
                            "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "2001:db8::1", "AKIAIOSFODNN7EXAMPLE"]
            var written = 0
            var line: [UInt8] = []
            while written < bytes {
                line.removeAll(keepingCapacity: true)
                func sentence(_ count: Int) -> String {
                    (0..<count).map { _ in words[next(words.count)] }.joined(separator: " ")
                }
                var answer = sentence(20 + next(60)) + "."
                if next(10) == 0 { answer += " Contact " + findings[next(findings.count)] + " " + sentence(5) + "." }
                line += Array(#"{"messages": [{"role": "user", "content": ""#.utf8)
                line += Array((sentence(8 + next(20)) + "?").utf8)
                line += Array(#""}, {"role": "assistant", "content": ""#.utf8)
                line += Array(answer.utf8)
                line += Array("\"}]}\n".utf8)
                try writer.write(line)
                written += line.count
            }
            try writer.commit()
        } catch {
            throw GovernanceError(error)
        }
    }
}
