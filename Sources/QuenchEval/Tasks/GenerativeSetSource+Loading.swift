import Foundation
import QuenchData
import QuenchGate
import QuenchTokenizer

extension GenerativeSetSource {
    /// Records beyond this count are refused: every answer of both models is kept (cut to
    /// `TaskExample.storedCharacters`) in the run's evaluate record, which must stay readable.
    public static let maximumRecords = 10_000

    /// Checks the file and settings before any model is loaded.
    /// - Throws: `EvalError.unreadable` for a missing file or one that is not `.jsonl`;
    ///   `.invalidSetting` for a text format, no metric, or settings out of bounds.
    public func check() throws {
        try EvalFile.requireFile(file)
        guard file.pathExtension.lowercased() == "jsonl" else {
            throw EvalError.unreadable(file: file.path, reason: "a generative set is a .jsonl file of chat or prompt_completion records")
        }
        if format == .text {
            throw EvalError.invalidSetting(key: "format", reason: "\(name): text records have no reference to score; use chat or prompt_completion")
        }
        try settings.check(set: name)
    }

    /// Reads every record, splits it into prompt and reference, tokenizes the prompt and prepares the
    /// metrics, so every problem is found before any model runs.
    /// - Parameter maxPositions: the model's context; each prompt plus `maxNewTokens` must fit.
    /// - Throws: `EvalError.invalidTaskRecord` naming the file and line (no reference, an empty prompt,
    ///   a reference longer than the budget, a prompt too long for the model, a bad regex or JSON
    ///   reference); `DatasetError` for a malformed record; `.emptySet` for a file without records.
    public func load(tokenizer: BPETokenizer, chatTemplate: ChatTemplate?, maxPositions: Int) throws -> GenerativeEvalSet {
        try check()
        var examples: [GenerativeEvalSet.Example] = []
        var usesChat = false
        try JSONLDataset.forEachRecord(in: file, format: format) { record, location in
            guard examples.count < Self.maximumRecords else {
                throw invalid(location.line, "more than \(Self.maximumRecords) records; split the set")
            }
            let split = try TaskRecordSplit(record, fail: { invalid(location.line, $0) })
            let promptText: String
            switch split.prompt {
            case .chat(let messages):
                guard let chatTemplate else { throw DatasetError.noChatTemplate }
                promptText = chatTemplate.render(messages, addGenerationPrompt: true)
                usesChat = true
            case .text(let text):
                promptText = text
            }
            let promptIDs = try tokenizer.encode(promptText).map { Int32(truncatingIfNeeded: $0) }
            guard promptIDs.count < maxPositions, settings.maxNewTokens <= maxPositions - promptIDs.count else {
                throw invalid(location.line, "the prompt is \(promptIDs.count) tokens; with max_new_tokens "
                              + "\(settings.maxNewTokens) it exceeds the model's \(maxPositions) positions")
            }
            for metric in settings.metrics {
                guard let reproduced = metric.reproducedText(of: split.reference) else { continue }
                let referenceTokens = try tokenizer.encode(reproduced).count
                guard referenceTokens <= settings.maxNewTokens else {
                    throw invalid(location.line, "the reference is \(referenceTokens) tokens but max_new_tokens is "
                                  + "\(settings.maxNewTokens), so no answer could reach it (\(metric.name)); raise max_new_tokens")
                }
            }
            let scorers = try settings.metrics.map { metric in
                do throws(ReferenceProblem) {
                    return try TaskScorer(metric: metric, reference: split.reference)
                } catch {
                    throw invalid(location.line, "\(metric.name): \(error)")
                }
            }
            examples.append(.init(line: location.line, shownPrompt: split.shownPrompt, promptIDs: promptIDs,
                                  reference: split.reference, scorers: scorers))
        }
        let stopTokens = Set(tokenizer.answerEndIDs(chatTemplate: usesChat ? chatTemplate : nil).map { Int32(truncatingIfNeeded: $0) })
        return GenerativeEvalSet(name: name, file: file, settings: settings, examples: examples, stopTokens: stopTokens,
                                 tokenizer: tokenizer)
    }

    private func invalid(_ line: Int, _ reason: String) -> EvalError {
        .invalidTaskRecord(file: file.path, line: line, reason: reason)
    }
}

extension GenerationSettings {
    /// Checks the bounds every source of settings (gate file, command line) must keep.
    /// - Throws: `EvalError.invalidSetting` naming the key and the set.
    func check(set: String) throws {
        func bad(_ key: String, _ reason: String) -> EvalError { .invalidSetting(key: key, reason: "\(set): \(reason)") }
        guard !metrics.isEmpty else { throw bad("metrics", "a generative set needs at least one metric (\(TaskMetric.knownNames.joined(separator: ", ")))") }
        guard Set(metrics.map(\.name)).count == metrics.count else { throw bad("metrics", "a metric is named twice") }
        guard (1...Self.maximumNewTokens).contains(maxNewTokens) else {
            throw bad("max_new_tokens", "\(maxNewTokens); give 1 to \(Self.maximumNewTokens)")
        }
        guard (1...Self.maximumBatchSize).contains(batchSize) else {
            throw bad("batch_size", "\(batchSize); give 1 to \(Self.maximumBatchSize)")
        }
        guard stop.count <= Self.maximumStopSequences, stop.allSatisfy({ !$0.isEmpty }) else {
            throw bad("stop", "give at most \(Self.maximumStopSequences) non-empty stop sequences")
        }
    }
}
