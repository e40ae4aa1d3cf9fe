import Foundation
import QuenchGate

extension TaskComparison {
    /// Lines for people: per metric the base accuracy, the tuned one and the change, then how fast
    /// the answers came.
    func renderedLines() -> [String] {
        var lines = ["\(name) (\(base.examples.count) prompts, up to \(maxNewTokens) new tokens):"]
        for accuracy in base.accuracies {
            let before = accuracy.statistic
            var line = "  \(accuracy.metric.label): base \(before.summary)"
            if let after = tuned?.accuracy(of: accuracy.metric.name) {
                line += String(format: ", tuned %@, change %+.1f points", after.summary, (after.accuracy - before.accuracy) * 100)
            }
            lines.append(line)
        }
        for (model, result) in [("base", base)] + (tuned.map { [("tuned", $0)] } ?? []) {
            lines.append(String(format: "  %@ generation: %.2f prompts/s, %.1f tokens/s (%@)", model,
                                result.promptsPerSecond, result.tokensPerSecond, result.precision))
        }
        return lines
    }
}
