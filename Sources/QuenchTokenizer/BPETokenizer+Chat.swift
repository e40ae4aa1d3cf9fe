/// A rendered conversation's token ids with a per-token flag for the assistant's turns.
public struct EncodedChat: Sendable, Equatable {
    /// The token ids.
    public var ids: [Int]
    /// Whether each token overlaps an assistant span: the tokens training puts the loss on.
    public var isAssistant: [Bool]
}

extension BPETokenizer {
    /// Encodes a rendered conversation and marks the tokens of its assistant turns. A token
    /// counts as assistant when any of its bytes lies in an assistant span (a token straddling
    /// the edge, like "\n " before a reply that starts with a space, is counted in).
    public func encode(_ chat: RenderedChat, addBOS: Bool = false) throws -> EncodedChat {
        let encoded = try encodeWithOffsets(chat.text, addBOS: addBOS)
        let spans = chat.assistantUTF8Ranges.sorted { $0.lowerBound < $1.lowerBound }
        var isAssistant: [Bool] = []
        isAssistant.reserveCapacity(encoded.ids.count)
        var spanIndex = 0
        for range in encoded.utf8Ranges {
            while spanIndex < spans.count, spans[spanIndex].upperBound <= range.lowerBound { spanIndex += 1 }
            let overlaps = !range.isEmpty && spanIndex < spans.count
                && spans[spanIndex].lowerBound < range.upperBound && range.lowerBound < spans[spanIndex].upperBound
            isAssistant.append(overlaps)
        }
        return EncodedChat(ids: encoded.ids, isAssistant: isAssistant)
    }
}
