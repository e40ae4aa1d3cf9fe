// TEST SUPPORT ONLY: a minimal reader for the tokenizer keys of a GGUF file, so the tokenizer can
// be tested against the real SmolLM2 vocabulary before Quench's GGUF reader exists. The real
// reader (Sources/QuenchModel/Formats) replaces this file; do not grow it into a second reader.
import Foundation
import QuenchModel

/// The tokenizer metadata of a GGUF file (v2/v3 layout).
struct GGUFTokenizerMetadata: Sendable {
    var tokens: [String] = []
    var merges: [String] = []
    var tokenTypes: [Int32] = []
    var pre: String?
    var bosTokenID: Int?
    var eosTokenID: Int?
    var chatTemplate: String?

    /// Errors of this test helper; they name the offset or key involved.
    enum ReadError: Error, CustomStringConvertible {
        case truncated(offset: Int, needed: Int)
        case notGGUF
        case unsupportedVersion(UInt32)
        case unknownValueType(key: String, type: UInt32)
        case unexpectedValueType(key: String, type: UInt32)

        var description: String {
            switch self {
            case .truncated(let offset, let needed): return "GGUF truncated: \(needed) bytes needed at offset \(offset)"
            case .notGGUF: return "not a GGUF file (bad magic)"
            case .unsupportedVersion(let version): return "GGUF version \(version) is not 2 or 3"
            case .unknownValueType(let key, let type): return "key \(key) has unknown value type \(type)"
            case .unexpectedValueType(let key, let type): return "key \(key) has value type \(type), not the one expected"
            }
        }
    }

    /// Reads the key-value section of `url`, keeping the tokenizer keys and skipping the rest by type.
    static func read(_ url: URL) throws -> GGUFTokenizerMetadata {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        return try data.withUnsafeBytes { raw in
            var cursor = Cursor(bytes: raw)
            guard try cursor.read(UInt32.self) == 0x4655_4747 else { throw ReadError.notGGUF }  // "GGUF"
            let version = try cursor.read(UInt32.self)
            guard version == 2 || version == 3 else { throw ReadError.unsupportedVersion(version) }
            _ = try cursor.read(UInt64.self)  // tensor count
            let keyCount = try cursor.read(UInt64.self)
            var metadata = GGUFTokenizerMetadata()
            for _ in 0..<keyCount {
                let key = try cursor.readString()
                let type = try cursor.read(UInt32.self)
                func expect(_ expected: UInt32...) throws {
                    guard expected.contains(type) else { throw ReadError.unexpectedValueType(key: key, type: type) }
                }
                switch key {
                case "tokenizer.ggml.tokens", "tokenizer.ggml.merges":
                    try expect(9)
                    let strings = try cursor.readStringArray(key: key)
                    if key == "tokenizer.ggml.tokens" { metadata.tokens = strings } else { metadata.merges = strings }
                case "tokenizer.ggml.token_type":
                    try expect(9)
                    guard try cursor.read(UInt32.self) == 5 else { throw ReadError.unexpectedValueType(key: key, type: type) }
                    let count = try cursor.count()
                    metadata.tokenTypes = try (0..<count).map { _ in try cursor.read(Int32.self) }
                case "tokenizer.ggml.pre":
                    try expect(8)
                    metadata.pre = try cursor.readString()
                case "tokenizer.chat_template":
                    try expect(8)
                    metadata.chatTemplate = try cursor.readString()
                case "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id":
                    try expect(4)
                    let id = Int(try cursor.read(UInt32.self))
                    if key.hasSuffix("bos_token_id") { metadata.bosTokenID = id } else { metadata.eosTokenID = id }
                default:
                    try cursor.skipValue(type: type, key: key)
                }
            }
            return metadata
        }
    }

    /// The tokenizer this metadata describes.
    func tokenizer() throws -> BPETokenizer {
        try BPETokenizer(
            tokens: tokens, merges: merges, tokenTypes: tokenTypes,
            preTokenizer: PreTokenizer.fromGGUF(pre ?? "default"),
            bosTokenID: bosTokenID, eosTokenID: eosTokenID, addedTokens: nil)
    }

    /// Bounds-checked little-endian reads over the mapped file.
    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
            let (end, overflow) = offset.addingReportingOverflow(count)
            guard count >= 0, !overflow, end <= bytes.count else { throw ReadError.truncated(offset: offset, needed: count) }
            defer { offset = end }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
        }

        mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
            T(littleEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self))
        }

        mutating func count() throws -> Int {
            let value = try read(UInt64.self)
            guard value <= UInt64(bytes.count) else { throw ReadError.truncated(offset: offset, needed: Int.max) }
            return Int(value)
        }

        mutating func readString() throws -> String {
            String(decoding: try take(count()), as: UTF8.self)
        }

        mutating func readStringArray(key: String) throws -> [String] {
            let elementType = try read(UInt32.self)
            guard elementType == 8 else { throw ReadError.unexpectedValueType(key: key, type: elementType) }
            let count = try count()
            var strings: [String] = []
            strings.reserveCapacity(count)
            for _ in 0..<count { strings.append(try readString()) }
            return strings
        }

        mutating func skipValue(type: UInt32, key: String) throws {
            let scalarSizes: [UInt32: Int] = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8]
            if let size = scalarSizes[type] {
                _ = try take(size)
            } else if type == 8 {
                _ = try readString()
            } else if type == 9 {
                let elementType = try read(UInt32.self)
                let count = try count()
                for _ in 0..<count { try skipValue(type: elementType, key: key) }
            } else {
                throw ReadError.unknownValueType(key: key, type: type)
            }
        }
    }
}

/// The real SmolLM2 tokenizer, read once for all tests (nil when the model is not on this machine).
enum SmolLM2Tokenizer {
    static let loaded: Result<(tokenizer: BPETokenizer, metadata: GGUFTokenizerMetadata), any Error>? = {
        guard let url = Fixtures.smolLM2 else { return nil }
        return Result {
            let metadata = try GGUFTokenizerMetadata.read(url)
            return (try metadata.tokenizer(), metadata)
        }
    }()
}
