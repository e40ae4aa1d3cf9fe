import ArgumentParser
import Foundation
import QuenchBench
import QuenchEval

/// `quench bench eval`: evaluation tokens/s and peak memory of a model at a context length.
struct BenchEval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure evaluation tokens/s (windowing, batching, forward with loss) and peak memory.",
        discussion: """
            Evaluates the first --tokens tokens of a text (default: Debian's license texts) --repeats \
            times and prints the median tokens/s and the peak resident memory. Use a release build.

            Example:
              quench bench eval --context 512
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "Tokens per window.")
    var context = 512

    @Option(help: "disjoint, llama-cpp or stride=K.")
    var windowing = "disjoint"

    @Option(help: "Rows per forward pass (default: about 512 tokens per pass).")
    var batch: Int?

    @Option(help: "Tokens of text evaluated per run.")
    var tokens = 8192

    @Option(help: "Timed runs; the median is reported.")
    var repeats = 3

    @Option(help: ArgumentHelp("Text files (repeatable).", valueName: "file"))
    var text: [String] = []

    @OptionGroup var precision: PrecisionOption

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let precision = try self.precision.checked()
        let bundle = try model.open()
        let files = text.isEmpty ? try ForwardBenchmark.defaultTexts() : text.map { URL(fileURLWithPath: $0) }
        let options = EvalOptions(windowing: try Windowing(name: windowing), context: context, batchSize: batch,
                                  precision: precision)
        let report = try EvalBenchmark.run(bundle: bundle, texts: files, options: options, maxTokens: tokens,
                                           repeats: repeats, peakResidentMegabytes: PeakMemory.residentMegabytes,
                                           progress: progress)
        if json { try printJSON(report) } else { print(report.rendered()) }
    }
}
