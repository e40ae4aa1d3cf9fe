import ArgumentParser
import Foundation
import QuenchBench
import QuenchFiles
import QuenchSecurity

/// `quench bench kernels`: which BLAS is loaded, sgemm GFLOP/s, and each kernel's forward/backward time.
struct BenchKernels: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Report the loaded BLAS, sgemm GFLOP/s and every kernel's forward and backward time.",
        discussion: """
            Shapes are those of SmolLM2-135M: sgemm at M=1024 tokens, K=576 channels, N=1536 and \
            N=49152; kernels at B=4, T=256, C=576. Each figure is the median of --repeats runs after a \
            warm-up. sgemm is timed twice, calling cblas_sgemm directly and through Quench's wrapper, \
            alternating, so the ratio shows the wrapper's overhead. Build with `swift build -c release` \
            (or run `make bench`): a debug build times the element-wise kernels unoptimised.
            """)

    @Option(help: "Timed runs per measurement; the median is reported.")
    var repeats = 5

    @Option(help: "Tokens per sequence for the kernel timings.")
    var time = 256

    @Option(help: "Sequences per batch for the kernel timings.")
    var batch = 4

    @Flag(help: "Print the report as JSON on standard output (progress goes to standard error).")
    var json = false

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        guard time >= 1, batch >= 1 else { throw ValidationError("--time and --batch must be at least 1") }
    }

    func run() async throws {
        var configuration = KernelBenchmark.Configuration()
        configuration.repeats = repeats
        configuration.time = time
        configuration.batch = batch
        let json = self.json
        let benchmark = KernelBenchmark(configuration: configuration) { line in
            if json {
                StandardStream.error.write(line + "\n")
            } else {
                print("  " + line)
            }
        }
        let report = try benchmark.run()
        if json {
            try printJSON(report)
        } else {
            print("")
            print(report.rendered())
        }
    }
}
