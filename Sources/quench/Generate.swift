import ArgumentParser
import Foundation
import QuenchFiles
import QuenchModel
import QuenchSecurity

/// `quench generate`: text from a prompt, streamed as it forms.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate text from a prompt (greedy, or sampled with temperature, top-k and top-p).",
        discussion: """
            The prompt is tokenized with the model's own tokenizer; with --chat it becomes a user turn of \
            the model's chat template. Generation stops at the end-of-turn token or after --max-tokens. \
            Temperature 0 (the default) is greedy; a --seed makes sampling reproducible.

            Examples:
              quench generate --chat --prompt "Convert 25 degrees Celsius to Fahrenheit."
              quench generate --prompt "Once upon a time" --temperature 0.8 --top-p 0.95 --seed 7
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: "The prompt text.")
    var prompt: String

    @Flag(help: "Wrap the prompt in the model's chat template as a user turn.")
    var chat = false

    @Option(help: "Most tokens to generate.")
    var maxTokens = 128

    @Option(help: "Sampling temperature; 0 picks the most likely token.")
    var temperature = 0.0

    @Option(help: "Sample only among the k most likely tokens (0: all).")
    var topK = 0

    @Option(help: "Sample only among the most likely tokens whose probabilities sum to p.")
    var topP = 1.0

    @Option(help: "Seed for sampling.")
    var seed: UInt64 = 0

    @OptionGroup var precision: PrecisionOption

    @Flag(help: "Print the result as JSON (no streaming).")
    var json = false

    func validate() throws {
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1") }
        guard temperature >= 0, topK >= 0, topP > 0, topP <= 1 else {
            throw ValidationError("--temperature and --top-k must not be negative; --top-p must be in (0, 1]")
        }
    }

    func run() async throws {
        let precision = try self.precision.checked()
        let bundle = try model.open()
        try bundle.model.setPrecision(precision)
        let request = TextGenerator.Request(
            prompt: prompt, chat: chat, maxTokens: maxTokens,
            sampling: TokenSampler.Settings(temperature: temperature, topK: topK, topP: topP, seed: seed))
        let json = self.json
        let result = try TextGenerator(bundle: bundle).generate(request) { piece in
            guard !json else { return }
            StandardStream.output.write(piece)
        }
        if json {
            try printJSON(WithPrecision(result: result, precision: precision))
        } else {
            StandardStream.output.write("\n")
            progress("\(result.generatedTokens) tokens (\(result.stopReason)), "
                     + String(format: "%.1f tokens/s", result.tokensPerSecond))
        }
    }
}
