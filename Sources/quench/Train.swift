import ArgumentParser
import Foundation
import QuenchModel
import QuenchTrain

/// `quench train`: fine-tune a model from a training configuration.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune a model (full or LoRA) from a training configuration (YAML).",
        discussion: """
            CONFIG is the `training` section of a job spec as a file of its own: model, method (full | lora), \
            data (train, validation or validation_split, format, max_sequence_length, sequences), optimizer, \
            schedule, batch_size, gradient_accumulation, max_steps or epochs, clip_gradient_norm, seed, \
            checkpoint_every, evaluate_every. Every mistake in it is reported at once with file, line and key.

            The run writes into `output`: metrics.jsonl (one line per step), checkpoints/ (every \
            checkpoint_every steps and at the end), and adapter/ (PEFT layout) or model/ (Hugging Face layout). \
            After a crash or kill, `--resume` continues from the newest checkpoint and ends with the same \
            weights, bit for bit, as an uninterrupted run.

            Example:
              quench train jobs/training/smollm2-135m_lora_temperature.yaml
            """)

    @Argument(help: ArgumentHelp("The training configuration (YAML).", valueName: "config"))
    var configPath: String

    @Option(help: ArgumentHelp("The base model, overriding the configuration's `model`.", valueName: "path"))
    var model: String?

    @Flag(help: "Continue from the newest checkpoint in the output directory.")
    var resume = false

    @Flag(help: "With --resume: continue even though the configuration changed since the checkpoint.")
    var force = false

    @Flag(help: "Print the summary as JSON at the end.")
    var json = false

    func run() async throws {
        var config = try TrainingConfig.load(contentsOf: URL(fileURLWithPath: configPath))
        if let model { config.model = model }
        let modelURL = config.model.map { URL(fileURLWithPath: $0) } ?? DemoModel.url
        let bundle = try ModelBundle.open(modelURL)
        let summary = try Trainer(config: config, bundle: bundle).run(resume: resume, force: force)
        if json {
            try printJSON(summary)
        } else {
            print("trained \(summary.steps) steps: loss \(String(format: "%.4f", summary.finalLoss))"
                  + (summary.validationLoss.map { String(format: ", validation %.4f", $0) } ?? "")
                  + String(format: ", %.0f tokens/s", summary.tokensPerSecond))
            print("wrote \(summary.output) and \(summary.metrics)")
        }
    }
}
