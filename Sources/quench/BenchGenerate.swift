import ArgumentParser
import Foundation
import QuenchBench
import QuenchEval
import QuenchGate

/// `quench bench generate`: prompts/s and generated tokens/s of a generative set at several batch sizes.
struct BenchGenerate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Measure task-set generation speed (prompts/s, generated tokens/s) at several batch sizes.",
        discussion: """
            Answers every prompt of --task with greedy decoding over the key/value cache, --repeats times \
            per --batch size, and prints the medians and each size's speed-up over the first. The answers \
            must be identical at every batch size (the report says whether they were). Use a release build \
            and a quiet machine.

            Example:
              quench bench generate --task evaluations/quickstart/contact-extraction-eval.jsonl --batch 1 --batch 8
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: ArgumentHelp("The generative set (.jsonl, chat or prompt_completion).", valueName: "file"))
    var task = "evaluations/quickstart/contact-extraction-eval.jsonl"

    @Option(help: ArgumentHelp("A batch size to measure (repeatable; default 1 and 8).", valueName: "n"))
    var batch: [Int] = []

    @Option(help: "Most tokens generated per answer.")
    var maxNewTokens = 64

    @Option(help: "Timed runs per batch size; the median is reported.")
    var repeats = 3

    @OptionGroup var precision: PrecisionOption

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let precision = try self.precision.checked()
        let bundle = try model.open()
        let source = GenerativeSetSource(file: URL(fileURLWithPath: task),
                                         settings: GenerationSettings(metrics: [.jsonValid], maxNewTokens: maxNewTokens))
        let report = try GenerationBenchmark.run(bundle: bundle, source: source, batchSizes: batch.isEmpty ? [1, 8] : batch,
                                                 repeats: repeats, precision: precision,
                                                 peakResidentMegabytes: PeakMemory.residentMegabytes, progress: progress)
        if json { try printJSON(report) } else { print(report.rendered()) }
    }
}
