import ArgumentParser
import Foundation
import QuenchEval
import QuenchGate

/// `quench gate`: decide whether a tuned model passes a quality gate; the exit code is the verdict.
struct Gate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Decide whether a tuned model passes a quality gate (exit 0 pass, 3 fail, 2 error).",
        discussion: """
            Evaluates the base model and the tuned model (--adapter, applied in memory, or --tuned-model) \
            on the gate's evaluation sets, applies its thresholds (max_perplexity, max_loss, min_improvement, \
            max_regression, min_tokens on loss sets; min_accuracy, min_accuracy_gain, max_accuracy_drop on \
            generative sets) and writes gate.json (every check, the eval files and models with their sha256, \
            the windowing, the Quench version, each generative set's accuracies) and gate.md (the verdict and, \
            in one line, why; a few failing answers, scrubbed of secrets) into --out. A gate with an unknown \
            key or a missing set fails before any work starts.

            Exit codes: 0 the model passed; 3 it failed a threshold; 2 an error (bad gate, missing file, \
            empty set); 64 bad command-line usage.

            Example:
              quench gate --gate evaluations/default-gate.yaml --adapter runs/smollm2-135m_lora_quickstart/adapter \\
                --out runs/smollm2-135m_lora_quickstart/gate
            """)

    /// The exit codes, decided here at the edge.
    static let failed: Int32 = 3
    static let error: Int32 = 2

    @Option(help: ArgumentHelp("The gate (YAML), e.g. evaluations/default-gate.yaml.", valueName: "file"))
    var gate = "evaluations/default-gate.yaml"

    @OptionGroup var model: ModelOptions

    @Option(help: ArgumentHelp("LoRA adapter directory (PEFT layout) trained from --model.", valueName: "dir"))
    var adapter: String?

    @Option(help: ArgumentHelp("A fully fine-tuned model trained from --model.", valueName: "path"))
    var tunedModel: String?

    @Option(help: ArgumentHelp("Directory for gate.json and gate.md.", valueName: "dir"))
    var out: String

    @Flag(help: "Print gate.json to standard output.")
    var json = false

    func validate() throws {
        guard (adapter == nil) != (tunedModel == nil) else {
            throw ValidationError("give exactly one of --adapter and --tuned-model")
        }
    }

    func run() async throws {
        let tuned = adapter.map { TunedModel.adapter(URL(fileURLWithPath: $0)) }
            ?? TunedModel.model(URL(fileURLWithPath: tunedModel ?? ""))
        let report: GateReport
        do {
            report = try GateRunner.run(gate: URL(fileURLWithPath: gate), base: model.url, tuned: tuned,
                                        output: URL(fileURLWithPath: out), quenchVersion: QuenchVersion.current,
                                        scrub: Scrub.text, progress: progress)
        } catch {
            progress("error: \(error)")
            throw ExitCode(Self.error)
        }
        if json {
            try printJSON(report)
        } else {
            print(report.reason)
            report.failingExampleLines.forEach { print($0) }
            print("wrote \(URL(fileURLWithPath: out).appendingPathComponent(GateRunner.reportFile).path) and \(GateRunner.summaryFile)")
        }
        if !report.passed { throw ExitCode(Self.failed) }
    }
}
