import Foundation
import Synchronization
import Testing
@testable import QuenchBench

/// The pieces of `quench bench registry` that need no server: wrk's report read back, latency quantiles,
/// and the concurrent driver's bookkeeping.
@Suite struct RegistryBenchmarkTests {
    static let wrkReport = """
        Running 10s test @ http://127.0.0.1:41234/v1/models/bench-model/versions
          2 threads and 16 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     7.12ms    2.01ms  41.30ms   88.12%
            Req/Sec     1.13k   102.44     1.31k    71.00%
          Latency Distribution
             50%  812.00us
             75%    7.88ms
             90%    9.12ms
             99%    1.02s
          22512 requests in 10.01s, 101.23MB read
          Non-2xx or 3xx responses: 3
        Requests/sec:   2249.11
        Transfer/sec:     10.11MB
        """

    @Test func wrkReportIsReadWithItsUnits() throws {
        let run = try WrkRun.parse(Self.wrkReport, threads: 2, connections: 16, seconds: 10)
        #expect(run.requestsPerSecond == 2249.11)
        #expect(abs(run.p50Milliseconds - 0.812) < 1e-9)
        #expect(run.p99Milliseconds == 1020)
        #expect(run.errorAnswers == 3)
        #expect(WrkRun.milliseconds("1.5m") == 90_000)
        #expect(WrkRun.milliseconds("12 ms") == nil)
    }

    @Test func wrkReportWithoutItsFiguresIsRefused() {
        let withoutDistribution = Self.wrkReport.split(separator: "\n").filter { !$0.contains("%  ") }.joined(separator: "\n")
        #expect(throws: BenchmarkError.unreadableOutput(tool: "wrk", what: "latency distribution (50% and 99% lines)")) {
            try WrkRun.parse(withoutDistribution, threads: 2, connections: 16, seconds: 10)
        }
        #expect(throws: BenchmarkError.unreadableOutput(tool: "wrk", what: "Requests/sec line")) {
            try WrkRun.parse("connection refused", threads: 2, connections: 16, seconds: 10)
        }
    }

    @Test func quantilesAreNearestRank() {
        let latencies = Latencies(samples: (1...100).reversed().map { Double($0) / 1000 }, seconds: 2)
        #expect(latencies.perSecond == 50)
        #expect(latencies.percentileMilliseconds(0.5) == 50)
        #expect(latencies.percentileMilliseconds(0.99) == 99)
        #expect(latencies.percentileMilliseconds(1) == 100)
        #expect(Latencies(samples: [], seconds: 1).percentileMilliseconds(0.99) == 0)
    }

    /// The indices the client threads were handed.
    final class Seen: Sendable {
        let indices = Mutex<[Int]>([])
    }

    @Test func everyOperationRunsOnceAcrossTheClients() throws {
        let seen = Seen()
        let latencies = try ConcurrentLoad.run(clients: 4, limit: .operations(50)) { index in
            seen.indices.withLock { $0.append(index) }
        }
        #expect(latencies.samples.count == 50)
        #expect(seen.indices.withLock { $0.sorted() } == Array(0..<50))
    }

    @Test func theFirstFailureStopsTheRunAndIsRethrown() {
        struct Refused: Error, Equatable {}
        #expect(throws: Refused()) {
            try ConcurrentLoad.run(clients: 3, limit: .operations(1000)) { index in
                if index == 7 { throw Refused() }
            }
        }
    }
}
