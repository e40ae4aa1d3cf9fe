import ArgumentParser
import Foundation
import QuenchEval
import QuenchTrain
import QuenchData
import QuenchGate

/// `quench eval`: loss and perplexity of a model, and of its tuned version, on evaluation sets.
struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Mean loss, perplexity and bits per byte of a model (and its tuned version) on evaluation sets.",
        discussion: """
            --data takes plain text (.txt, tokenized as one stream, every token after the first scored) \
            or the trainer's JSONL formats (.jsonl: text, prompt_completion, chat; scored on exactly the \
            tokens the trainer trains on). Reports the summed NLL (nats), tokens scored, mean loss, \
            perplexity, bits per byte and the standard error of the mean loss.

            Windowing (named in every report):
              disjoint    consecutive windows of --context tokens, every token after the first scored once \
            (lm-evaluation-harness rolling windows)
              llama-cpp   chunks of --context tokens, only the second half of each scored, BOS as llama.cpp \
            puts it: reproduces `llama-perplexity -c CONTEXT` (which needs at least two chunks)
              stride=K    sliding windows scoring each token once with at least CONTEXT-K tokens of history

            With --adapter (a PEFT directory, applied in memory) or --tuned-model, the same tokens are \
            evaluated on the base and the tuned model and the difference is printed.

            In --json, window_positions is the number of positions the model ran (the sum of the window \
            lengths; records before it had this name say tokens_read), not the set's token count: \
            overlapping windows read a token twice, a document's last token is predicted but not read, \
            and llama-cpp skips the tail that fills no chunk. tokens_scored counts the targets in the loss.

            --per-token FILE writes one JSON line per position of every window of every --data set, for \
            each model: {"model": "base" or "tuned", "set", "document", "window", "position" (0-based, \
            in the window), "input_id" (the token read there), "token_id" (the next token, predicted \
            there), "token" (its vocabulary spelling, e.g. "Ġthe"), "text" (its UTF-8 text), "nll" \
            (−log p of it, nats, the float32 value the loss sums), "scored" (whether the loss counts it)}. \
            Unscored positions get their NLL too; token_id, token, text and nll are null where the model \
            reads a document's last token (only a llama-cpp chunk that ends the document does). The NLLs of the scored lines sum to summed_nll; a window's input_ids are exactly \
            what the model read, so another tool can run the same windows. The file appears only when \
            the whole evaluation succeeded.

            Task evaluation (--task, a .jsonl of chat records whose last assistant turn is the reference, \
            or prompt/completion records): every prompt is answered by greedy decoding, --generation-batch \
            prompts at a time over the key/value cache, until EOS, the chat template's end of turn, a \
            --stop sequence or --max-new-tokens; each answer is scored by every --metric (exact_match, \
            contains, regex, json_valid, json_fields; see evaluations/README.md for their exact \
            definitions) and the accuracy is printed with its standard error. Options follow a colon: \
            exact_match:ignore_case,ignore_punctuation (strip is on unless no_strip).

            Examples:
              quench eval --data evaluations/general-text.txt
              quench eval --model base.gguf --adapter runs/x/adapter --data evaluations/temperature-chat-holdout.jsonl
              quench eval --data book.txt --windowing llama-cpp --context 512 --json
              quench eval --data evaluations/general-text.txt --per-token nll.jsonl
              quench eval --adapter runs/x/train/adapter --task evaluations/quickstart/contact-extraction-eval.jsonl \\
                --metric json_fields --metric exact_match --max-new-tokens 64
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: ArgumentHelp("An evaluation set, .txt or .jsonl (repeatable).", valueName: "file"))
    var data: [String] = []

    @Option(help: ArgumentHelp("JSONL record layout of the --data sets: text, prompt_completion or chat (default: detected; --task sets are always detected).",
                               valueName: "format"))
    var format: String?

    @Option(help: ArgumentHelp("A generative set (.jsonl, chat or prompt_completion) to answer and score (repeatable).",
                               valueName: "file"))
    var task: [String] = []

    @Option(help: ArgumentHelp("A metric for --task sets (repeatable): exact_match, contains, regex, json_valid, json_fields.",
                               valueName: "name[:options]"))
    var metric: [String] = []

    @Option(help: "Most tokens generated per answer.")
    var maxNewTokens = GenerationSettings.defaultMaxNewTokens

    @Option(help: ArgumentHelp("Text that ends an answer (repeatable).", valueName: "text"))
    var stop: [String] = []

    @Option(help: "Prompts decoded together.")
    var generationBatch = GenerationSettings.defaultBatchSize

    @Option(help: ArgumentHelp("LoRA adapter directory (PEFT layout) to evaluate against the base.", valueName: "dir"))
    var adapter: String?

    @Option(help: ArgumentHelp("A fully fine-tuned model to evaluate against the base.", valueName: "path"))
    var tunedModel: String?

    @Option(help: "disjoint, llama-cpp or stride=K.")
    var windowing = "disjoint"

    @Option(help: "Tokens per window.")
    var context = 512

    @Option(help: "Rows per forward pass (default: about 512 tokens per pass).")
    var batch: Int?

    @OptionGroup var precision: PrecisionOption

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Write every window position's next-token NLL to this file as JSON lines (see below).",
                               valueName: "file"))
    var perToken: String?

    func validate() throws {
        guard !data.isEmpty || !task.isEmpty else { throw ValidationError("give at least one --data or --task file") }
        guard task.isEmpty == metric.isEmpty else { throw ValidationError("--task and --metric go together: give both") }
        guard adapter == nil || tunedModel == nil else { throw ValidationError("give --adapter or --tuned-model, not both") }
        guard perToken == nil || !data.isEmpty else {
            throw ValidationError("--per-token writes the NLLs of --data sets: give at least one --data file")
        }
    }

    func run() async throws {
        let precision = try self.precision.checked()
        let windowing = try Windowing(name: windowing)
        let datasetFormat = try format.map { try DatasetFormat(name: $0) }
        let tuned = adapter.map { TunedModel.adapter(URL(fileURLWithPath: $0)) }
            ?? tunedModel.map { TunedModel.model(URL(fileURLWithPath: $0)) }
        let sets = data.map { path in
            let url = URL(fileURLWithPath: path)
            return EvalSetSource(file: url, format: url.pathExtension.lowercased() == "txt" ? nil : datasetFormat)
        }
        if model.model == nil, !FileManager.default.fileExists(atPath: model.url.path) {
            throw ValidationError("no --model given and the demo model is not at \(model.url.path); run `make setup` to fetch it")
        }
        let settings = GenerationSettings(metrics: try metric.map(TaskMetric.init(spec:)), maxNewTokens: maxNewTokens,
                                          stop: stop, batchSize: generationBatch)
        let tasks = task.map { path in
            let url = URL(fileURLWithPath: path)
            return GenerativeSetSource(file: url, settings: settings)
        }
        let request = EvalRequest(base: model.url, tuned: tuned, sets: sets, tasks: tasks,
                                  options: EvalOptions(windowing: windowing, context: context, batchSize: batch,
                                                       precision: precision),
                                  perToken: perToken.map { URL(fileURLWithPath: $0) })
        let report = try ModelEvaluation.run(request, progress: progress)
        if json { try printJSON(report.redactingExamples(Scrub.text)) } else { print(report.rendered()) }
    }
}
