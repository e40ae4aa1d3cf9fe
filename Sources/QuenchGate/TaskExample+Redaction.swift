import Foundation

extension TaskExample {
    /// Longest prompt, reference, answer or reason (in code points) an evaluation keeps of an example
    /// once it is stored or printed; the accuracies were computed on the whole texts before.
    public static let storedCharacters = 500

    /// `text` passed through `scrub` first (so no cut leaves part of a secret behind), then cut to
    /// `limit` code points (so its size is bounded whatever the text), a cut one ending with "…".
    public static func shown(_ text: String, scrub: (String) -> String, limit: Int) -> String {
        let clean = scrub(text)
        guard clean.unicodeScalars.count > limit else { return clean }
        return String(String.UnicodeScalarView(clean.unicodeScalars.prefix(limit))) + "…"
    }

    /// The example with its prompt, reference, answer and reasons scrubbed and cut to `limit`.
    public func redacted(by scrub: (String) -> String, limit: Int = storedCharacters) -> TaskExample {
        func shown(_ text: String) -> String { Self.shown(text, scrub: scrub, limit: limit) }
        return TaskExample(line: line, prompt: shown(prompt), reference: shown(reference), answer: shown(answer), stop: stop,
                           generatedTokens: generatedTokens,
                           outcomes: outcomes.map { MetricOutcome(metric: $0.metric, correct: $0.correct,
                                                                  reason: $0.reason.map(shown), fields: $0.fields) })
    }
}

extension TaskComparison {
    /// The comparison with every example of both models redacted (see `TaskExample.redacted`);
    /// accuracies, counts and outcomes are unchanged.
    public func redacted(by scrub: (String) -> String) -> TaskComparison {
        func redacted(_ result: TaskResult) -> TaskResult {
            TaskResult(metrics: metrics, examples: result.examples.map { $0.redacted(by: scrub) }, precision: result.precision,
                       promptTokens: result.promptTokens, generatedTokens: result.generatedTokens, seconds: result.seconds)
        }
        return TaskComparison(name: name, path: path, metrics: metrics, maxNewTokens: maxNewTokens, stop: stop, base: redacted(base),
                              tuned: tuned.map(redacted))
    }
}
