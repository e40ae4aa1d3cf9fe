import Foundation
import QuenchGate
import QuenchModel

extension ModelEvaluation {
    /// Reads every generative set with the base model's tokenizer and chat template, so a bad record
    /// fails before any model runs.
    static func loadTasks(_ sources: [GenerativeSetSource], bundle: ModelBundle) throws -> [GenerativeEvalSet] {
        guard !sources.isEmpty else { return [] }
        guard let tokenizer = bundle.tokenizer else { throw EvalError.noTokenizer(model: bundle.location.path) }
        return try sources.map { source in
            try source.load(tokenizer: tokenizer, chatTemplate: bundle.chatTemplate,
                            maxPositions: bundle.model.config.maxPositions)
        }
    }

    /// A generative set with the base model's answers on it.
    struct MeasuredTask {
        let set: GenerativeEvalSet
        let base: TaskResult

        /// The set's comparison of `tuned` (nil without a tuned model) against the base.
        func comparison(tuned: TaskResult?) -> TaskComparison {
            TaskComparison(name: set.name, path: set.file.standardizedFileURL.path, metrics: set.settings.metrics,
                           maxNewTokens: set.settings.maxNewTokens, stop: set.settings.stop, base: base, tuned: tuned)
        }
    }
}
