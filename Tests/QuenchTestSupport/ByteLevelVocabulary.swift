/// GPT-2's bytes_to_unicode, written out independently of the tokenizer under test: printable Latin-1
/// stays, the other bytes shift to U+0100 onwards, so byte b is token b in a 256-token byte-level vocabulary.
public enum ByteLevelVocabulary {
    /// The printable stand-in of each byte, indexed by byte.
    public static let tokens: [String] = {
        let printable = Set(Array(33...126) + Array(161...172) + Array(174...255))
        var result = [String](repeating: "", count: 256)
        var shifted = 256
        for byte in 0..<256 {
            var value = byte
            if !printable.contains(byte) {
                value = shifted
                shifted += 1
            }
            result[byte] = Unicode.Scalar(UInt32(value)).map { String(Character($0)) } ?? ""
        }
        return result
    }()

    /// The byte-level spelling of `text` (a space becomes "Ġ").
    public static func spelling(_ text: String) -> String {
        text.utf8.map { tokens[Int($0)] }.joined()
    }
}
