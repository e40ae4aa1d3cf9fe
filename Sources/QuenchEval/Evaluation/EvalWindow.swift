/// One model window over one document: the model reads `length` tokens from `start`, and the
/// next-token targets of the positions in `scored` count (where the document's mask allows).
public struct EvalWindow: Sendable, Equatable {
    /// Index of the document in its set.
    public let document: Int
    /// First token of the window in the document.
    public let start: Int
    /// Tokens the model reads.
    public let length: Int
    /// Positions (0..<length) whose next token is scored.
    public let scored: Range<Int>
    /// Replaces the window's first input (llama.cpp puts BOS at the start of every chunk).
    public let firstInput: Int32?

    /// A window; see the properties.
    public init(document: Int, start: Int, length: Int, scored: Range<Int>, firstInput: Int32? = nil) {
        self.document = document
        self.start = start
        self.length = length
        self.scored = scored
        self.firstInput = firstInput
    }
}

/// Cuts a document of `count` tokens into windows as a `Windowing` says. Every target index below
/// is a position in the document; position i's target is token i + 1.
public enum WindowPlanner {
    /// The windows of document `document` (of `count` tokens) under `windowing` with `context` inputs per window.
    ///
    /// - `disjoint` and `stride=K` are lm-evaluation-harness rolling windows with `K` (= context
    ///   for disjoint) new targets per window: the first window scores its first `context` targets,
    ///   each next one scores up to K new targets and is right-aligned so it reads a full context.
    /// - `llama-cpp` takes ⌊count / context⌋ chunks and scores positions context/2 ..< context − 1
    ///   of each, as `llama-perplexity` does; `bos` replaces each chunk's first input when given.
    /// - Complexity: O(count / stride).
    public static func windows(document: Int, count: Int, windowing: Windowing, context: Int, bos: Int32?) -> [EvalWindow] {
        guard count >= 2, context >= 2 else { return [] }
        switch windowing {
        case .llamaCpp:
            let half = context / 2
            return (0..<(count / context)).map {
                EvalWindow(document: document, start: $0 * context, length: context, scored: half..<(context - 1),
                           firstInput: bos)
            }
        case .disjoint:
            return rolling(document: document, targets: count - 1, context: context, newPerWindow: context)
        case .stride(let k):
            return rolling(document: document, targets: count - 1, context: context, newPerWindow: max(1, min(k, context)))
        }
    }

    /// lm-evaluation-harness's `get_rolling_token_windows` with the document's first token as prefix.
    private static func rolling(document: Int, targets: Int, context: Int, newPerWindow: Int) -> [EvalWindow] {
        let first = min(context, targets)
        var windows = [EvalWindow(document: document, start: 0, length: first, scored: 0..<first)]
        var predicted = first
        while predicted < targets {
            let fresh = min(targets - predicted, newPerWindow)
            let end = predicted + fresh  // targets 1...end are now covered; the window reads tokens end − context ..< end
            windows.append(EvalWindow(document: document, start: end - context, length: context,
                                      scored: (context - fresh)..<context))
            predicted = end
        }
        return windows
    }
}
