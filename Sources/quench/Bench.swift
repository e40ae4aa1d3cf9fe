import ArgumentParser

/// `quench bench`: measurements of this machine, never run as timed tests.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure BLAS and kernel speed on this machine (use a release build).",
        subcommands: [BenchKernels.self, BenchForward.self, BenchTrain.self, BenchEval.self, BenchScan.self,
                      BenchDownload.self, BenchRegistry.self, BenchGenerate.self])
}
