import ArgumentParser
import Foundation
import QuenchBench
import QuenchModel

/// `quench bench forward`: tokens/s of a forward pass with loss over fixed windows of a real model.
struct BenchForward: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Measure forward-with-loss tokens/s and peak memory of a model over fixed windows.",
        discussion: """
            Tokenizes a text (default: Debian's license texts in /usr/share/common-licenses), cuts it \
            into windows of --window tokens, and times a forward pass with loss over all of them, \
            --repeats times; prints the median tokens/s and the peak resident memory. Use a release build.
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "Tokens per window.")
    var window = 512

    @Option(help: "Windows per forward pass.")
    var batch = 1

    @Option(help: "Timed passes over the windows; the median is reported.")
    var repeats = 3

    @Option(help: "Windows per pass, taken from the start of the text (0: all the text holds).")
    var windows = 16

    @Option(help: ArgumentHelp("Text files to tokenize (repeatable).", valueName: "file"))
    var text: [String] = []

    @OptionGroup var precision: PrecisionOption

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard window >= 2, batch >= 1, repeats >= 1, windows >= 0 else {
            throw ValidationError("--window must be at least 2, --batch and --repeats at least 1, --windows not negative")
        }
        guard window < .max, !windows.multipliedReportingOverflow(by: window + 1).overflow else {
            throw ValidationError("--windows × (--window + 1) must be a count of tokens")
        }
    }

    func run() async throws {
        let precision = try self.precision.checked()
        let bundle = try model.open()
        guard let tokenizer = bundle.tokenizer else {
            throw ValidationError("\(bundle.location.path) carries no tokenizer to turn the text into tokens")
        }
        let files = text.isEmpty ? try ForwardBenchmark.defaultTexts() : text.map { URL(fileURLWithPath: $0) }
        var tokens: [Int32] = []
        for file in files {
            tokens += try tokenizer.encode(String(decoding: try Data(contentsOf: file), as: UTF8.self)).map { Int32($0) }
        }
        if windows > 0 { tokens = Array(tokens.prefix(windows * (window + 1))) }
        progress("\(tokens.count) tokens from \(files.count) files: \(tokens.count / (window + 1)) windows of \(window)")
        let benchmark = ForwardBenchmark(model: bundle.model, modelName: bundle.location.lastPathComponent,
                                         tokens: tokens, window: window, batch: batch, repeats: repeats,
                                         precision: precision)
        let report = try benchmark.run(progress: progress)
        if json { try printJSON(report) } else { print(report.rendered()) }
    }
}
