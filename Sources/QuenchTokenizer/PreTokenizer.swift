/// How text is cut into pieces before byte-level BPE runs on each piece: a closed registry of the
/// splitting rules real models use, each implemented by a hand-written scanner that reproduces the
/// model's regex exactly (Swift Regex lookahead on Linux is uncertain and slow).
public enum PreTokenizer: String, Sendable, CaseIterable, Equatable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    case gpt2
    /// SmolLM: every \p{N} becomes its own piece first, then the GPT-2 regex runs on each stretch
    /// between digits as if it were the whole text (so in "\n\n  0" the whitespace stays one piece).
    case smollm
    /// Llama 3: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
    case llama3
    /// Qwen 2: the Llama 3 regex with `\p{N}` (one digit per piece) instead of `\p{N}{1,3}`.
    case qwen2

    /// GGUF `tokenizer.ggml.pre` values and the pre-tokenizer each names.
    static let ggufNames: [(name: String, preTokenizer: PreTokenizer)] = [
        ("gpt-2", .gpt2), ("default", .gpt2), ("smollm", .smollm),
        ("llama-bpe", .llama3), ("llama3", .llama3), ("qwen2", .qwen2),
    ]

    /// Maps a GGUF `tokenizer.ggml.pre` value; an unknown name is an error listing the known ones.
    public static func fromGGUF(_ name: String) throws -> PreTokenizer {
        guard let match = ggufNames.first(where: { $0.name == name }) else {
            throw TokenizerError.unknownPreTokenizer(name: name, known: ggufNames.map(\.name))
        }
        return match.preTokenizer
    }

    /// The `tokenizer.ggml.pre` value written for this pre-tokenizer (the first name that maps to it).
    public var ggufName: String { PreTokenizer.ggufNames.first { $0.preTokenizer == self }?.name ?? "default" }

    /// The regex this pre-tokenizer reproduces, as tokenizer.json spells it in a `Split` or implies by `ByteLevel(use_regex)`.
    public var regex: String {
        switch self {
        case .gpt2, .smollm:
            return #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
        case .llama3:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        case .qwen2:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        }
    }

    /// Whether a piece that is itself a vocabulary token is emitted whole without running the
    /// merges (Llama 3 sets `ignore_merges`; some of its tokens are unreachable by merging).
    public var ignoresMerges: Bool { self == .llama3 }

    /// Cuts `text` into the pieces BPE would see (no special-token handling).
    public func split(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        forEachPiece(in: scalars) { range in
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[range])
            pieces.append(String(piece))
        }
        return pieces
    }

    /// Calls `body` with the scalar index range of each piece of `scalars`, in order; the ranges
    /// partition `scalars` exactly.
    func forEachPiece(in scalars: [Unicode.Scalar], _ body: (Range<Int>) -> Void) {
        let classes = scalars.map(ScalarClass.init)
        scalars.withUnsafeBufferPointer { text in
            classes.withUnsafeBufferPointer { classes in
                let scanner = PieceScanner(text: text, classes: classes)
                switch self {
                case .gpt2:
                    scanner.scanGPT2(0..<text.count, body)
                case .smollm:
                    scanner.scanSmolLM(body)
                case .llama3:
                    scanner.scanLlama3(maximumDigits: 3, body)
                case .qwen2:
                    scanner.scanLlama3(maximumDigits: 1, body)
                }
            }
        }
    }
}
