import QuenchTokenizer

/// Generated ids as text: their bytes read as UTF-8, an invalid sequence or an id outside the
/// tokenizer's vocabulary (a model may have more rows than tokens) read as U+FFFD, so such an answer
/// is scored (and, unless the reference has U+FFFD, wrong) instead of stopping the evaluation.
enum AnswerText {
    static func text(of ids: [Int32], tokenizer: BPETokenizer) -> String {
        String(decoding: bytes(of: ids, tokenizer: tokenizer), as: UTF8.self)
    }

    /// The bytes of `ids`, an id outside the vocabulary as U+FFFD's.
    static func bytes(of ids: some Sequence<Int32>, tokenizer: BPETokenizer) -> [UInt8] {
        ids.flatMap { tokenizer.bytes(for: Int($0)) ?? Array("\u{FFFD}".utf8) }
    }
}
