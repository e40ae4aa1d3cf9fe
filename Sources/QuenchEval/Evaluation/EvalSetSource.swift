import Foundation
import QuenchFiles
import QuenchModel
import QuenchTokenizer
import QuenchData

/// Where an evaluation set comes from: a `.txt` file (one token stream, every token scored) or a
/// `.jsonl` file in one of the trainer's formats (scored on the tokens the trainer trains on).
public struct EvalSetSource: Sendable, Equatable {
    /// The name reports use (a gate's set name, or the file's name).
    public var name: String
    public var file: URL
    /// The JSONL record layout; nil detects it from the first record (as the trainer does).
    public var format: DatasetFormat?

    /// Evaluation text beyond this size is refused: sets are held in memory as token ids.
    public static let maximumTextBytes = 1 << 28

    /// A source; `name` defaults to the file's name.
    public init(file: URL, format: DatasetFormat? = nil, name: String? = nil) {
        self.file = file
        self.format = format
        self.name = name ?? file.lastPathComponent
    }

    /// Whether the file is a plain-text stream (by its extension).
    public var isText: Bool { file.pathExtension.lowercased() == "txt" }

    /// Checks the file is there and of a kind Quench reads, before any model is loaded.
    /// - Throws: `EvalError.unreadable` for a missing file, a directory or another extension.
    public func check() throws {
        try EvalFile.requireFile(file)
        guard isText || file.pathExtension.lowercased() == "jsonl" else {
            throw EvalError.unreadable(file: file.path, reason: "expected a .txt or .jsonl file")
        }
        if isText, format != nil {
            throw EvalError.invalidSetting(key: "format", reason: "\(file.lastPathComponent) is plain text; a format applies to .jsonl sets only")
        }
    }

    /// Reads and tokenizes the set with the model's tokenizer and chat template.
    /// - Parameter addBOS: whether the model starts text with BOS (see `BOSPolicy`); JSONL
    ///   records follow the trainer, which adds none.
    /// - Throws: `EvalError` for a missing, non-UTF-8 or empty file; `DatasetError` naming the
    ///   line and key of a bad JSONL record.
    public func load(tokenizer: BPETokenizer, chatTemplate: ChatTemplate?, addBOS: Bool) throws -> TokenizedEvalSet {
        try check()
        let bos = addBOS ? tokenizer.bosTokenID.map { Int32(truncatingIfNeeded: $0) } : nil
        let byteCounts = (0..<tokenizer.vocabularySize).map { id in
            tokenizer.isSpecial(id) ? Int32(0) : Int32(truncatingIfNeeded: tokenizer.bytes(for: id)?.count ?? 0)
        }
        let documents: [TokenizedExample]
        if isText {
            let text = try readText()
            let ids = (bos.map { [$0] } ?? []) + (try tokenizer.encode(text)).map { Int32(truncatingIfNeeded: $0) }
            documents = [TokenizedExample(ids: ids, scored: Array(repeating: true, count: ids.count))]
        } else {
            let examples = try ExampleTokenizer(tokenizer: tokenizer, chatTemplate: chatTemplate)
            documents = try TokenizedDataset.load(file, format: format, tokenizer: examples).examples
        }
        return TokenizedEvalSet(name: name, file: file, documents: documents, tokenByteCounts: byteCounts, bos: bos)
    }

    private func readText() throws -> String {
        let text: String
        do {
            text = try RegularFile.text(of: file.path, limit: Self.maximumTextBytes)
        } catch {
            throw EvalError.unreadable(file: file.path, reason: error.reason)
        }
        guard !text.allSatisfy(\.isWhitespace) else {
            throw EvalError.emptySet(file: file.path, reason: "the file holds no text")
        }
        return text
    }
}
