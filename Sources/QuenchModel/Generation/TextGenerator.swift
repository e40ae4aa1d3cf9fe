import Foundation
import QuenchTokenizer

/// Generates text from a prompt: tokenize (through the chat template when asked), prefill the
/// cache, then sample one token at a time, streaming the text as it forms.
public struct TextGenerator {
    /// What to generate.
    public struct Request: Sendable {
        public var prompt: String
        /// Wrap the prompt as a user turn of the model's chat template and add the assistant prompt.
        public var chat: Bool
        public var maxTokens: Int
        public var sampling: TokenSampler.Settings

        public init(prompt: String, chat: Bool, maxTokens: Int, sampling: TokenSampler.Settings) {
            (self.prompt, self.chat, self.maxTokens, self.sampling) = (prompt, chat, maxTokens, sampling)
        }
    }

    /// What came out, and how fast.
    public struct Result: Codable, Sendable {
        public let text: String
        public let promptTokens: Int
        public let generatedTokens: Int
        /// "end of turn" (the model's EOS or end-of-turn token) or "length" (max tokens reached).
        public let stopReason: String
        public let tokensPerSecond: Double
    }

    /// Errors a generation request can meet before any work starts.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case noTokenizer(model: String)
        case noChatTemplate(model: String)
        case emptyPrompt
        case tooLong(promptTokens: Int, maxTokens: Int, context: Int)

        public var description: String {
            switch self {
            case .noTokenizer(let model): return "\(model) carries no tokenizer; generation needs one"
            case .noChatTemplate(let model): return "\(model) has no chat template; run without --chat"
            case .emptyPrompt: return "the prompt is empty"
            case .tooLong(let prompt, let maxTokens, let context):
                return "\(prompt) prompt tokens + \(maxTokens) new tokens exceed the model's context of \(context)"
            }
        }
    }

    let bundle: ModelBundle
    /// Bytes free for generation besides the loaded model.
    let availableMemory: Int

    /// A generator for `bundle`; `availableMemory` (default: what the system reports available) is
    /// what the cache and the prompt's workspace may take together.
    public init(bundle: ModelBundle, availableMemory: Int = MemoryBudget.availableBytes()) {
        (self.bundle, self.availableMemory) = (bundle, availableMemory)
    }

    /// Runs `request`, calling `onText` with each piece of text as soon as it is valid UTF-8.
    public func generate(_ request: Request, onText: (String) -> Void = { _ in }) throws -> Result {
        let model = bundle.model, name = bundle.location.lastPathComponent
        guard let tokenizer = bundle.tokenizer else { throw Failure.noTokenizer(model: name) }
        let text: String, stopIDs: Set<Int>
        if request.chat {
            guard let template = bundle.chatTemplate else { throw Failure.noChatTemplate(model: name) }
            text = template.render([ChatMessage(role: "user", content: request.prompt)], addGenerationPrompt: true)
            stopIDs = tokenizer.answerEndIDs(chatTemplate: template)
        } else {
            (text, stopIDs) = (request.prompt, tokenizer.answerEndIDs(chatTemplate: nil))
        }
        let prompt = try tokenizer.encode(text).map { Int32($0) }
        guard !prompt.isEmpty else { throw Failure.emptyPrompt }
        // Compared without adding, so no --max-tokens can overflow.
        guard request.maxTokens <= model.config.maxPositions - prompt.count else {
            throw Failure.tooLong(promptTokens: prompt.count, maxTokens: request.maxTokens, context: model.config.maxPositions)
        }
        let capacity = prompt.count + request.maxTokens
        var budget = MemoryBudget(available: availableMemory)
        budget.add("cache of \(capacity) positions", floats: DecodeState.plannedFloats(config: model.config, capacity: capacity))
        budget.add("prompt workspace", floats: Workspace.plannedFloats(config: model.config, batch: 1, time: prompt.count,
                                                                       training: false, lossChunkRows: 1))
        try budget.check("generating after a prompt of \(prompt.count) tokens", lower: "--max-tokens or the prompt")
        let state = try DecodeState(config: model.config, capacity: capacity)
        var sampler = TokenSampler(request.sampling)
        var pending: [UInt8] = [], output = "", generated = 0, stopReason = "length"
        let start = DispatchTime.now().uptimeNanoseconds
        try model.prefill(prompt, state: state)
        while generated < request.maxTokens {
            let next = sampler.next(state.logits)
            generated += 1
            if stopIDs.contains(next) {
                stopReason = "end of turn"
                break
            }
            pending += tokenizer.bytes(for: next) ?? []
            if let piece = UTF8Stream.takeComplete(&pending) {
                output += piece
                onText(piece)
            }
            if generated < request.maxTokens { try model.step(token: Int32(next), state: state) }
        }
        if !pending.isEmpty {
            let rest = String(decoding: pending, as: UTF8.self)
            output += rest
            onText(rest)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Result(text: output, promptTokens: prompt.count, generatedTokens: generated, stopReason: stopReason,
                      tokensPerSecond: seconds > 0 ? Double(generated) / seconds : 0)
    }
}

/// Turns a stream of token bytes into text: a multi-byte character may be split across tokens.
enum UTF8Stream {
    /// Takes the longest prefix of `bytes` that is complete UTF-8 and leaves an unfinished
    /// character (at most three bytes) in `bytes`; nil when nothing is complete yet. Bytes that are
    /// invalid rather than unfinished come out as U+FFFD.
    static func takeComplete(_ bytes: inout [UInt8]) -> String? {
        for cut in 0...min(3, bytes.count) {
            let end = bytes.count - cut
            guard end > 0 else { break }
            if let text = String(validating: bytes[..<end], as: UTF8.self) {
                bytes.removeFirst(end)
                return text
            }
        }
        guard bytes.count > 3 else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        bytes.removeAll()
        return text
    }
}
