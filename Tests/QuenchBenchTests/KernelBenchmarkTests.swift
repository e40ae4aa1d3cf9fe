import Foundation
import QuenchBench
import Testing

@Suite struct KernelBenchmarkTests {
    /// Runs the whole benchmark at toy sizes: every section is filled and the JSON round-trips.
    /// Nothing here is timed against a threshold; speed claims come from `make bench`.
    @Test func smallRunFillsEverySectionAndEncodes() throws {
        var configuration = KernelBenchmark.Configuration()
        (configuration.batch, configuration.time, configuration.channels, configuration.hidden) = (2, 8, 36, 48)
        (configuration.vocabulary, configuration.queryHeads, configuration.keyValueHeads) = (50, 6, 2)
        (configuration.gemmTokens, configuration.gemmWidths, configuration.layers) = (16, [24], 2)
        (configuration.crossEntropyChunk, configuration.repeats) = (4, 1)
        var lines: [String] = []
        let report = try KernelBenchmark(configuration: configuration) { lines.append($0) }.run()
        #expect(report.gemm.count == 3)
        #expect(report.gemm.allSatisfy { $0.directGFLOPS > 0 && $0.wrapperGFLOPS > 0 })
        #expect(report.kernels.map(\.kernel).count == 10)
        #expect(report.kernels.allSatisfy { $0.forwardMilliseconds >= 0 && $0.backwardMilliseconds > 0 })
        #expect(report.parallel.count == 5)
        #expect(lines.count >= report.gemm.count + report.kernels.count + report.parallel.count)
        let decoded = try JSONDecoder().decode(KernelBenchmarkReport.self, from: JSONEncoder().encode(report))
        #expect(decoded.kernels.map(\.kernel) == report.kernels.map(\.kernel))
        let text = report.rendered()
        #expect(text.contains("BLAS: OpenBLAS") && text.contains("attention (causal, GQA)"))
    }

    @Test func medianIgnoresOutliers() {
        #expect(Stopwatch.median(of: [5, 1, 100, 2, 3]) == 3)
        #expect(Stopwatch.median(of: [4, 1, 3, 2]) == 2.5)
    }
}
