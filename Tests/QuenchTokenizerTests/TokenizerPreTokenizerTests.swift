import Testing
import QuenchModel
@testable import QuenchTokenizer

/// The hand-written scanners against what the regexes produce.
@Suite struct TokenizerPreTokenizerTests {
    @Test func gpt2SplitsContractionsCaseSensitively() {
        #expect(PreTokenizer.gpt2.split("don't won't it's I'm you're they've we'll he'd")
            == ["don", "'t", " won", "'t", " it", "'s", " I", "'m", " you", "'re", " they", "'ve", " we", "'ll", " he", "'d"])
        #expect(PreTokenizer.gpt2.split("I'M 'st") == ["I", "'", "M", " '", "st"])
    }

    @Test func llama3SplitsContractionsCaseInsensitively() {
        #expect(PreTokenizer.llama3.split("I'M don'T 'x") == ["I", "'M", " don", "'T", " '", "x"])
    }

    @Test func digitsSplitPerPreTokenizer() {
        let text = "Version  2.0 released in   2024"
        #expect(PreTokenizer.gpt2.split(text) == ["Version", " ", " 2", ".", "0", " released", " in", "  ", " 2024"])
        #expect(PreTokenizer.smollm.split(text)
            == ["Version", "  ", "2", ".", "0", " released", " in", "   ", "2", "0", "2", "4"])
        #expect(PreTokenizer.llama3.split("1234567 x") == ["123", "456", "7", " x"])
        #expect(PreTokenizer.qwen2.split("123") == ["1", "2", "3"])
        // Ⅻ (U+216B) is a letter number: \p{N} though not a digit, and Alphabetic though not \p{L}.
        #expect(PreTokenizer.smollm.split("aⅫb") == ["a", "Ⅻ", "b"])
    }

    @Test func smolLMKeepsAWhitespaceRunBeforeADigitWhole() {
        #expect(PreTokenizer.gpt2.split("\n\n  0.") == ["\n\n ", " 0", "."])
        #expect(PreTokenizer.smollm.split("\n\n  0.") == ["\n\n  ", "0", "."])
        #expect(PreTokenizer.smollm.split("x =  42;  y=\t7") == ["x", " =", "  ", "4", "2", ";", " ", " y", "=", "\t", "7"])
    }

    @Test func whitespaceRunsGiveTheirLastSpaceToTheNextWord() {
        #expect(PreTokenizer.gpt2.split("a   b") == ["a", "  ", " b"])
        #expect(PreTokenizer.gpt2.split("a  ") == ["a", "  "])
        #expect(PreTokenizer.gpt2.split("  leading") == [" ", " leading"])
        #expect(PreTokenizer.gpt2.split("and\ttabs") == ["and", "\t", "tabs"])
        #expect(PreTokenizer.llama3.split("and\ttabs") == ["and", "\ttabs"])
        #expect(PreTokenizer.llama3.split("a \t b") == ["a", " \t", " b"])
    }

    @Test func newlines() {
        #expect(PreTokenizer.gpt2.split("a\n\nb\n") == ["a", "\n", "\n", "b", "\n"])
        #expect(PreTokenizer.llama3.split("a\n\nb") == ["a", "\n\n", "b"])
        #expect(PreTokenizer.llama3.split("x.\n\ny") == ["x", ".\n\n", "y"])
        #expect(PreTokenizer.llama3.split("hi\n\n  foo") == ["hi", "\n\n", " ", " foo"])
        #expect(PreTokenizer.llama3.split("a \n b") == ["a", " \n", " b"])
        #expect(PreTokenizer.llama3.split("\r\n\r\n") == ["\r\n\r\n"])
    }

    @Test func lettersAreGeneralCategoriesNotAlphabetic() {
        #expect(PreTokenizer.gpt2.split("naïve café Straße") == ["naïve", " café", " Straße"])
        #expect(PreTokenizer.gpt2.split("日本語 テスト 한국어") == ["日本語", " テスト", " 한국어"])
        // U+0345 is Alphabetic but a combining mark (Mn), so not \p{L}; a decomposed é splits likewise.
        #expect(PreTokenizer.gpt2.split("a\u{345}b") == ["a", "\u{345}", "b"])
        #expect(PreTokenizer.gpt2.split("e\u{301}") == ["e", "\u{301}"])
        #expect(PreTokenizer.gpt2.split("hi 🙂🚀!") == ["hi", " 🙂🚀!"])
        #expect(PreTokenizer.llama3.split("hi 🙂🚀!\n") == ["hi", " 🙂🚀!\n"])
    }

    @Test func piecesAlwaysPartitionTheText() {
        let text = "  Mixed: 'tis 12,345.67 — naïve\t\t\r\n 日本 🙂 x''s  \u{3000}end  "
        for preTokenizer in PreTokenizer.allCases {
            let pieces = preTokenizer.split(text)
            #expect(pieces.joined() == text, "\(preTokenizer)")
            #expect(!pieces.contains(""), "\(preTokenizer)")
        }
        #expect(PreTokenizer.gpt2.split("").isEmpty)
    }

    @Test func ggufNamesMapToTheRegistry() throws {
        #expect(try PreTokenizer.fromGGUF("gpt-2") == .gpt2)
        #expect(try PreTokenizer.fromGGUF("default") == .gpt2)
        #expect(try PreTokenizer.fromGGUF("smollm") == .smollm)
        #expect(try PreTokenizer.fromGGUF("llama-bpe") == .llama3)
        #expect(try PreTokenizer.fromGGUF("llama3") == .llama3)
        #expect(try PreTokenizer.fromGGUF("qwen2") == .qwen2)
        let error = #expect(throws: TokenizerError.self) { try PreTokenizer.fromGGUF("deepseek-llm") }
        #expect(error?.description.contains("smollm") == true)
        #expect(error?.description.contains("deepseek-llm") == true)
    }
}
