import COpenMP
import Foundation
@testable import QuenchTensor
import Testing

/// The one compute team: its size, how `Parallelism` cuts loops over it, nesting and concurrent callers.
@Suite struct ComputeTeamTests {
    @Test func teamHasOneThreadPerOnlineCoreAsOneDNNsTeamDoes() throws {
        // oneDNN's regions use omp_get_max_threads() threads; Quench's team must be that same team.
        #expect(ComputeTeam.size == Int(omp_get_max_threads()))
        #expect(Parallelism.cores.workers == ComputeTeam.size)
        // Unless OMP_NUM_THREADS or a CPU affinity mask says fewer, that is one thread per online core.
        try #require(ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] == nil)
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        try #require(ProcessInfo.processInfo.activeProcessorCount == online, "affinity mask narrower than the cores")
        #expect(ComputeTeam.size == online)
        // And a region really runs on that many threads.
        let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: ComputeTeam.size)
        defer { seen.deallocate() }
        seen.initialize(repeating: -1)
        ComputeTeam.run(ComputeTeam.size) { task in seen[task] = Int(omp_get_num_threads()) }
        #expect(Array(seen) == Array(repeating: ComputeTeam.size, count: ComputeTeam.size))
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func forEachRangeCoversEveryIndexOnce(_ workers: Int) {
        let parallelism = Parallelism(workers: workers)
        for (count, grain) in [(1, 1), (10_007, 1), (10_007, 16), (100, 64), (5, 1)] {
            let visits = UnsafeMutableBufferPointer<Int32>.allocate(capacity: count)
            defer { visits.deallocate() }
            visits.initialize(repeating: 0)
            parallelism.forEachRange(count, grain: grain) { range in
                for index in range { visits[index] += 1 }
            }
            #expect(visits.allSatisfy { $0 == 1 }, "workers \(workers), count \(count), grain \(grain)")
        }
    }

    @Test func sumAddsTheChunksInOrderOnEveryRun() throws {
        let values = try randomTensor([1_000_003], seed: 7, scale: 1000).toArray()
        func partial(_ range: Range<Int>) -> Double { values[range].reduce(0) { $0 + Double($1) * Double($1) } }
        // What the chunks add up to on one thread, in chunk order.
        let chunks = Parallelism.cores.workers
        let expected = (0..<chunks).reduce(0.0) { $0 + partial(Parallelism.range($1, of: chunks, total: values.count)) }
        for _ in 0..<20 {
            #expect(Parallelism.cores.sum(values.count, partial).bitPattern == expected.bitPattern)
        }
        #expect(Parallelism(workers: 5).sum(values.count, partial).bitPattern
                == (0..<5).reduce(0.0) { $0 + partial(Parallelism.range($1, of: 5, total: values.count)) }.bitPattern)
    }

    /// A kernel called inside a team region runs on the calling thread and gives the same result.
    @Test func nestedCallsRunSeriallyWithTheSameResults() throws {
        let a = try randomTensor([1024, 576], seed: 51), b = try randomTensor([576, 576], seed: 52)
        let outside = try Tensor(zeros: [1024, 576])
        try MatMul.multiply(a, .none, b, .transposed, into: outside)
        let outsideSum = Parallelism.cores.sum(a.count) { range in range.reduce(0) { $0 + Double(a.storage[$1]) } }
        let results = try (0..<2).map { _ in try Tensor(zeros: [1024, 576]) }
        let inner = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
        defer { inner.deallocate() }
        let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2)
        defer { sums.deallocate() }
        Parallelism(workers: 2).forEachRange(2) { range in
            for task in range {
                inner[task] = ComputeTeam.available
                // A throw leaves zeros, which the comparison below reports.
                try? MatMul.multiply(a, .none, b, .transposed, into: results[task])
                sums[task] = Parallelism.cores.sum(a.count) { range in range.reduce(0) { $0 + Double(a.storage[$1]) } }
            }
        }
        if ComputeTeam.size > 1 { #expect(Array(inner) == [1, 1]) }
        for task in 0..<2 {
            #expect(results[task].toArray().map(\.bitPattern) == outside.toArray().map(\.bitPattern))
            #expect(sums[task].bitPattern == outsideSum.bitPattern)
        }
    }

    /// Several threads (Swift Testing runs tests side by side) each drive a team of their own.
    @Test func concurrentCallersEachGetCorrectResults() async throws {
        let a = try randomTensor([512, 576], seed: 61), b = try randomTensor([1536, 576], seed: 62)
        let expected = try Tensor(zeros: [512, 1536])
        try MatMul.multiply(a, .none, b, .transposed, into: expected)
        let expectedBits = expected.toArray().map(\.bitPattern)
        let values = try randomTensor([300_000], seed: 63).toArray()
        let expectedSum = Parallelism.cores.sum(values.count) { $0.reduce(0) { $0 + Double(values[$1]) } }
        let matches = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    // Tensors are not Sendable: each caller makes its own (same seeds, same values).
                    let a = try randomTensor([512, 576], seed: 61), b = try randomTensor([1536, 576], seed: 62)
                    let c = try Tensor(zeros: [512, 1536])
                    var same = true
                    for _ in 0..<4 {
                        try MatMul.multiply(a, .none, b, .transposed, into: c)
                        let sum = Parallelism.cores.sum(values.count) { $0.reduce(0) { $0 + Double(values[$1]) } }
                        same = same && c.toArray().map(\.bitPattern) == expectedBits && sum.bitPattern == expectedSum.bitPattern
                    }
                    return same
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(matches == Array(repeating: true, count: 6))
    }
}
