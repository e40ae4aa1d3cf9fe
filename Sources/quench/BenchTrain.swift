import ArgumentParser
import Foundation
import QuenchBench
import QuenchDistributed
import QuenchModel
import QuenchTrain

/// `quench bench train`: training-step tokens/s and peak memory, full or LoRA.
struct BenchTrain: AsyncParsableCommand, RankedCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Measure training tokens/s and peak memory (full fine-tuning or LoRA) on a model.",
        discussion: """
            Times optimizer steps (forward, backward, clipping, AdamW) on batch × time tokens of Debian's \
            license texts. Peak memory is the whole process's, so measure full and LoRA in separate runs. \
            Use a release build.

            Under a launcher the ranks share the batch's rows and sum their gradients as `quench train` \
            does, and rank 0 reports the whole batch's tokens/s (strong scaling); --batch must be a \
            multiple of the ranks. scripts/bench-scaling.sh compares 1 and 2 ranks with PyTorch DDP:
              mpirun -np 2 --bind-to core -x OMP_NUM_THREADS=1 quench bench train --method lora
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "full or lora.")
    var method: TrainingConfig.Method = .full

    @Option(help: "Sequences per step.")
    var batch = 4

    @Option(help: "Tokens per sequence.")
    var time = 256

    @Option(help: "Timed steps (after one warm-up step); the median is reported.")
    var steps = 3

    @OptionGroup var precision: PrecisionOption

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard batch >= 1, time >= 1, steps >= 1, time < .max, !batch.multipliedReportingOverflow(by: time + 1).overflow else {
            throw ValidationError("--batch, --time and --steps must be at least 1, and --batch × (--time + 1) a count of tokens")
        }
    }

    func run() async throws {
        try RankedRun.run { group in try measure(as: group) }
    }

    /// Measures as one rank of `group`; rank 0 prints the report.
    func measure(as group: any ProcessGroup) throws {
        let precision = try self.precision.checked()
        let bundle = try model.open()
        guard let tokenizer = bundle.tokenizer else {
            throw ValidationError("\(bundle.location.path) carries no tokenizer to turn the text into tokens")
        }
        var tokens: [Int32] = []
        for file in try ForwardBenchmark.defaultTexts() where tokens.count < batch * (time + 1) {
            tokens += try tokenizer.encode(String(decoding: try Data(contentsOf: file), as: UTF8.self)).map { Int32($0) }
        }
        let report = try TrainBenchmark(bundle: bundle, method: method, batch: batch, time: time, steps: steps,
                                        precision: precision, group: group)
            .run(tokens: tokens, progress: progress)
        guard group.writes else { return }
        if json { try printJSON(report) } else { print(report.rendered()) }
    }
}

extension TrainingConfig.Method: ExpressibleByArgument {}
