import ArgumentParser
import Foundation
import QuenchDistributed
import QuenchJobs
import QuenchModel
import QuenchTrain

/// `quench train`: fine-tune a model from a training configuration.
struct Train: AsyncParsableCommand, RankedCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune a model (full or LoRA) from a training configuration (YAML).",
        discussion: """
            CONFIG is the `training` section of a job spec as a file of its own: model, method (full | lora), \
            data (train, validation or validation_split, format, max_sequence_length, sequences), optimizer, \
            schedule, batch_size, gradient_accumulation, max_steps or epochs, clip_gradient_norm, seed, \
            checkpoint_every, evaluate_every, precision (fp32 | bf16). Every mistake in it is reported at once with file, line and key.

            The run writes into `output`: metrics.jsonl (one line per step), checkpoints/ (every \
            checkpoint_every steps and at the end), and adapter/ (PEFT layout) or model/ (Hugging Face layout). \
            After a crash or kill, `--resume` continues from the newest checkpoint and ends with the same \
            weights, bit for bit, as an uninterrupted run.

            With `--bundle DIR` (what a remote backend runs), the job bundle's manifest is checked first: \
            its Quench release must be this one and every file must match its sha256. The run writes into \
            DIR/output, then DIR/output/summary.json and DIR/output/manifest.json (sha256 of every output \
            file), which the submitting side verifies before it trusts anything. A bundle whose model is \
            model-reference.json fetches that commit from this machine's hub ($QUENCH_HUB_CONFIG or \
            configs/hub.yaml, the HF_* environment; a token sent with the job in $QUENCH_HUB_TOKEN_FILE comes \
            first) and checks every file against the reference's sha256 before training.

            Several processes, on one machine or many, can train one model together (data parallel): \
            launch them with `mpirun -np N quench train CONFIG` or, in a Slurm allocation, \
            `srun --mpi=pmix quench train CONFIG` (Open MPI, Debian's openmpi-bin, is loaded when a launcher \
            started the process; a plain run never needs it). Give each rank its share of the cores with \
            OMP_NUM_THREADS (`mpirun -x OMP_NUM_THREADS=8`, or Slurm's cpus_per_task). \
            batch_size × gradient_accumulation is the \
            global batch whatever N is; N must divide gradient_accumulation, and each rank computes \
            gradient_accumulation/N micro-batches of every step, so N ranks see exactly the rows one process \
            would, and --resume continues with any such N. Rank 0 alone writes the output folder; every \
            rank's lines start with [rank r/N] when N > 1. A rank that fails ends the whole job; a rank that waits \
            longer than $QUENCH_COLLECTIVE_TIMEOUT seconds (default 1800) for the others gives up, and that \
            includes the wait while rank 0 fetches a bundle's referenced model (it places the files in the \
            bundle for every node): set it above the download time. \
            $QUENCH_MPI_LIBRARY names another libmpi.so.40 than the system's.

            Examples:
              quench train jobs/training/smollm2-135m_lora_temperature.yaml
              quench train --bundle /scratch/quench/q20250101-120000-1a2b3c4d
              mpirun -np 2 --bind-to core -x OMP_NUM_THREADS=1 quench train jobs/training/smollm2-135m_lora_temperature-2-ranks.yaml
            """)

    @Argument(help: ArgumentHelp("The training configuration (YAML).", valueName: "config"))
    var configPath: String?

    @Option(help: ArgumentHelp("Train a verified job bundle instead of a configuration.", valueName: "dir"))
    var bundle: String?

    @Option(help: ArgumentHelp("The base model, overriding the configuration's `model`.", valueName: "path"))
    var model: String?

    @OptionGroup var precision: PrecisionOption

    @Flag(help: "Continue from the newest checkpoint in the output directory.")
    var resume = false

    @Flag(help: "With --resume: continue even though the configuration changed since the checkpoint.")
    var force = false

    @Flag(help: "Print the summary as JSON at the end.")
    var json = false

    func validate() throws {
        guard (configPath == nil) != (bundle == nil) else { throw ValidationError("give either CONFIG or --bundle DIR") }
        if bundle != nil, model != nil || resume || force || precision.precision != nil {
            throw ValidationError("--bundle takes its model and settings from the bundle; drop --model, --precision, --resume and --force")
        }
    }

    func run() async throws {
        try RankedRun.run { group in
            let summary = try train(as: group)
            if group.writes { try report(summary) }
        }
    }

    /// Trains the bundle or the configuration as one rank of `group`.
    func train(as group: any ProcessGroup) throws -> TrainingSummary {
        if let bundle {
            let label = group.logLabel
            return try BundleTraining.run(at: URL(fileURLWithPath: bundle), quenchVersion: QuenchVersion.current, group: group,
                                          progress: { progress(label + $0) })
        }
        let configURL = URL(fileURLWithPath: configPath ?? "")
        var config = try TrainingConfig.load(contentsOf: configURL)
        if let model { config.model = model }
        if let precision = precision.precision { config.precision = precision }
        try config.requirePrecisionSupport(setting: precision.precision == nil ? "precision in \(configURL.path)" : "--precision")
        let modelURL = config.model.map { URL(fileURLWithPath: $0) } ?? DemoModel.url
        let modelBundle = try ModelBundle.open(modelURL)
        return try Trainer(config: config, bundle: modelBundle, quenchVersion: QuenchVersion.current, group: group)
            .run(resume: resume, force: force)
    }

    func report(_ summary: TrainingSummary) throws {
        if json {
            try printJSON(summary)
        } else {
            print("trained \(summary.steps) steps: loss \(String(format: "%.4f", summary.finalLoss))"
                  + (summary.validationLoss.map { String(format: ", validation %.4f", $0) } ?? "")
                  + String(format: ", %.0f tokens/s", summary.tokensPerSecond) + " in \(summary.precision)")
            print("wrote \(summary.output) and \(summary.metrics)")
        }
    }
}
