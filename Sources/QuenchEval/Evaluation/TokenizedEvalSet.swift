import Foundation
import QuenchData

/// An evaluation set as token ids: its documents with the trainer's loss masks (a `.txt` file is
/// one document scored everywhere), and what the windowing and bits per byte need from the tokenizer.
public struct TokenizedEvalSet: Sendable {
    /// The name reports use.
    public let name: String
    /// The file it was read from.
    public let file: URL
    /// The documents: ids and, per token, whether it is scored when it is a target.
    public let documents: [TokenizedExample]
    /// UTF-8 bytes each token id stands for in text (0 for special tokens), for bits per byte;
    /// nil when the set was not made by a tokenizer.
    public let tokenByteCounts: [Int32]?
    /// The BOS id the model puts before text (and llama.cpp at the start of every chunk), or nil
    /// when the model adds none.
    public let bos: Int32?

    /// A set from documents already tokenized.
    public init(name: String, file: URL, documents: [TokenizedExample], tokenByteCounts: [Int32]? = nil,
                bos: Int32? = nil) {
        self.name = name
        self.file = file
        self.documents = documents
        self.tokenByteCounts = tokenByteCounts
        self.bos = bos
    }
}
