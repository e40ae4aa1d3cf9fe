import Foundation
import Testing
@testable import QuenchModel

/// Hostile and broken files: each must be a clear `GGUFError`, never a crash.
@Suite("GGUF malformed files")
struct GGUFMalformedTests {
    let scratch: GGUFScratch

    init() throws { scratch = try GGUFScratch() }

    /// Writes `file` and expects opening it to throw `expected(path)`.
    func expectOpen(_ file: GGUFBytes, throws expected: (String) -> GGUFError) throws {
        let url = try scratch.write(file)
        #expect(throws: expected(url.path)) { try GGUFFile(contentsOf: url) }
    }

    /// A header declaring one metadata entry, followed by `body`.
    func oneEntry(_ body: (inout GGUFBytes) -> Void) -> GGUFBytes {
        var file = GGUFBytes()
        file.header(tensors: 0, entries: 1)
        body(&file)
        return file
    }

    @Test("wrong magic")
    func wrongMagic() throws {
        var file = GGUFBytes()
        file.header(tensors: 0, entries: 0)
        file.bytes[3] = UInt8(ascii: "X")
        try expectOpen(file) { .notGGUF(path: $0, magic: Array("GGUX".utf8)) }
    }

    @Test("versions 1 and 4 are rejected, naming the version", arguments: [UInt32(1), 4])
    func unsupportedVersion(version: UInt32) throws {
        var file = GGUFBytes()
        file.header(version: version, tensors: 0, entries: 0)
        try expectOpen(file) { .unsupportedVersion(path: $0, version: version) }
        #expect(GGUFError.unsupportedVersion(path: "m.gguf", version: version).description.contains("version \(version)"))
    }

    @Test("empty file and a file shorter than the header")
    func tooShort() throws {
        try expectOpen(GGUFBytes()) { .truncated(path: $0, reading: "header", offset: 0, needed: 24, available: 0) }
        var file = GGUFBytes()
        file.raw(Array("GGUF".utf8))
        file.u32(3)
        try expectOpen(file) { .truncated(path: $0, reading: "header", offset: 0, needed: 24, available: 8) }
    }

    @Test("missing file")
    func missingFile() {
        let url = scratch.url("absent.gguf")
        #expect(throws: GGUFError.cannotOpen(path: url.path, reason: "No such file or directory")) {
            try GGUFFile(contentsOf: url)
        }
    }

    @Test("a file cut off in the middle of a string value")
    func truncatedString() throws {
        var file = oneEntry { file in
            file.string("general.name")
            file.u32(8)
            file.u64(10)
        }
        file.raw(Array("Smol".utf8))
        // Key ends at 24 + 8 + 12; type 4 bytes; the length 8 bytes: the text starts at 56.
        try expectOpen(file) {
            .truncated(path: $0, reading: "value of 'general.name'", offset: 56, needed: 10, available: 4)
        }
    }

    @Test("a string length beyond the file")
    func stringLengthBeyondFile() throws {
        let file = oneEntry { file in
            file.u64(UInt64.max)
            file.raw(Array("key".utf8) + [UInt8](repeating: 0, count: 20))
        }
        try expectOpen(file) {
            .truncated(path: $0, reading: "key of metadata entry 0", offset: 32, needed: UInt64.max, available: 23)
        }
    }

    @Test("a huge array count")
    func hugeArrayCount() throws {
        let file = oneEntry { file in
            file.string("tokenizer.ggml.tokens")
            file.u32(9)
            file.u32(8)
            file.u64(1 << 62)
            file.string("a")
        }
        // Count at 24 + 8 + 21 + 4 + 4 = 61; 9 bytes remain, each string needs at least 8.
        try expectOpen(file) {
            .countTooLarge(
                path: $0, what: "element count of 'tokenizer.ggml.tokens'", count: 1 << 62, limit: 1, offset: 61)
        }
    }

    @Test("huge tensor and metadata counts")
    func hugeCounts() throws {
        var file = GGUFBytes()
        file.header(tensors: UInt64.max, entries: 0)
        try expectOpen(file) {
            .countTooLarge(path: $0, what: "tensor count", count: UInt64.max, limit: 0, offset: 8)
        }
        var entries = GGUFBytes()
        entries.header(tensors: 0, entries: 1_000_000)
        entries.raw([UInt8](repeating: 0, count: 26))
        try expectOpen(entries) {
            .countTooLarge(path: $0, what: "metadata entry count", count: 1_000_000, limit: 2, offset: 16)
        }
    }

    @Test("unknown value type and arrays nested too deeply")
    func badValues() throws {
        let unknown = oneEntry { file in
            file.string("k")
            file.u32(13)
            file.u32(0)
        }
        try expectOpen(unknown) { .unknownValueType(path: $0, key: "k", type: 13, offset: 33) }

        let deep = oneEntry { file in
            file.string("k")
            file.u32(9)
            for _ in 0..<20 {
                file.u32(9)
                file.u64(1)
            }
            file.raw([UInt8](repeating: 0, count: 64))
        }
        let url = try scratch.write(deep)
        #expect {
            try GGUFFile(contentsOf: url)
        } throws: { error in
            guard case .arrayNestedTooDeeply(_, let key, _) = error as? GGUFError else { return false }
            return key == "k"
        }
    }

    @Test("duplicate metadata key")
    func duplicateKey() throws {
        var file = GGUFBytes()
        file.header(tensors: 0, entries: 2)
        file.entryU32("llama.block_count", 30)
        file.entryU32("llama.block_count", 31)
        // The second entry starts after the first: 24 + (8 + 17) + 4 + 4.
        try expectOpen(file) { .duplicateKey(path: $0, key: "llama.block_count", offset: 57) }
    }

    @Test("duplicate tensor name")
    func duplicateTensor() throws {
        var file = GGUFBytes()
        file.header(tensors: 2, entries: 0)
        file.tensorInfo("norm", dimensions: [4], type: 0, offset: 0)
        file.tensorInfo("norm", dimensions: [4], type: 0, offset: 32)
        file.pad()
        file.raw([UInt8](repeating: 0, count: 64))
        // First info: 8 + 4 + 4 + 8 + 4 + 8 = 36 bytes from 24.
        try expectOpen(file) { .duplicateTensor(path: $0, name: "norm", offset: 60) }
    }

    @Test("misaligned tensor offset")
    func misaligned() throws {
        var file = GGUFBytes()
        file.header(tensors: 1, entries: 0)
        file.tensorInfo("norm", dimensions: [4], type: 0, offset: 8)
        file.pad()
        file.raw([UInt8](repeating: 0, count: 64))
        try expectOpen(file) { .misalignedTensor(path: $0, tensor: "norm", offset: 8, alignment: 32) }
    }

    @Test("tensor data past the end of the file")
    func dataPastEnd() throws {
        let file = GGUFBytes.singleTensor("norm", dimensions: [64], type: .f32, data: [UInt8](repeating: 0, count: 32))
        try expectOpen(file) {
            .tensorOutOfBounds(path: $0, tensor: "norm", start: 64, byteCount: 256, fileSize: 96)
        }
        var far = GGUFBytes()
        far.header(tensors: 1, entries: 0)
        far.tensorInfo("norm", dimensions: [4], type: 0, offset: UInt64.max - 31)
        far.pad()
        try expectOpen(far) {
            .tensorOutOfBounds(path: $0, tensor: "norm", start: UInt64.max, byteCount: 16, fileSize: 64)
        }
    }

    @Test("five dimensions")
    func fiveDimensions() throws {
        var file = GGUFBytes()
        file.header(tensors: 1, entries: 0)
        file.tensorInfo("t", dimensions: [1, 1, 1, 1, 1], type: 0)
        file.pad()
        try expectOpen(file) { .tooManyDimensions(path: $0, tensor: "t", dimensions: 5, offset: 33) }
    }

    @Test("element count overflow, unknown type, rows not whole blocks")
    func badTensorShapes() throws {
        var overflow = GGUFBytes()
        overflow.header(tensors: 1, entries: 0)
        overflow.tensorInfo("t", dimensions: [1 << 32, 1 << 32], type: 0)
        try expectOpen(overflow) { .tensorTooLarge(path: $0, tensor: "t", dimensions: [1 << 32, 1 << 32]) }

        var unknown = GGUFBytes()
        unknown.header(tensors: 1, entries: 0)
        unknown.tensorInfo("t", dimensions: [4], type: 4)
        try expectOpen(unknown) { .unknownTensorType(path: $0, tensor: "t", type: 4, offset: 45) }

        var partial = GGUFBytes()
        partial.header(tensors: 1, entries: 0)
        partial.tensorInfo("t", dimensions: [48, 2], type: GGMLType.q8_0.rawValue)
        try expectOpen(partial) { .rowNotWholeBlocks(path: $0, tensor: "t", type: .q8_0, rowLength: 48) }
    }

    @Test("bad general.alignment values", arguments: [UInt32(0), 3, 48])
    func badAlignment(value: UInt32) throws {
        let file = oneEntry { $0.entryU32("general.alignment", value) }
        try expectOpen(file) { .invalidAlignment(path: $0, value: "uint32(\(value))") }
    }

    @Test("dequantizing an unsupported type names the tensor, its type and what is supported")
    func unsupportedDequantization() throws {
        let file = GGUFBytes.singleTensor(
            "blk.0.attn_q.weight", dimensions: [256], type: .q5_k, data: [UInt8](repeating: 0, count: 176))
        let url = try scratch.write(file)
        let gguf = try GGUFFile(contentsOf: url)
        let expected = GGUFError.cannotDequantize(path: url.path, tensor: "blk.0.attn_q.weight", type: .q5_k)
        #expect(throws: expected) { try gguf.dequantize("blk.0.attn_q.weight") }
        #expect(
            expected.description == "\(url.path): tensor 'blk.0.attn_q.weight' has type Q5_K, which Quench "
                + "cannot dequantize; supported: F32, F16, Q4_0, Q4_1, Q8_0, Q4_K, Q6_K, BF16")
    }

    @Test("missing tensor and a wrongly sized output buffer")
    func accessErrors() throws {
        let file = GGUFBytes.singleTensor("norm", dimensions: [4], type: .f32, data: [UInt8](repeating: 0, count: 16))
        let url = try scratch.write(file)
        let gguf = try GGUFFile(contentsOf: url)
        #expect(throws: GGUFError.tensorNotFound(path: url.path, name: "nope")) { try gguf.dequantize("nope") }
        var small = [Float](repeating: 0, count: 3)
        #expect(throws: GGUFError.outputSizeMismatch(path: url.path, tensor: "norm", expected: 4, found: 3)) {
            try small.withUnsafeMutableBufferPointer { try gguf.dequantize("norm", into: $0) }
        }
    }

    @Test("every truncation of a valid file is an error, never a crash")
    func everyTruncation() throws {
        var file = GGUFBytes()
        file.header(tensors: 1, entries: 2)
        file.string("tokenizer.ggml.tokens"); file.u32(9); file.u32(8); file.u64(2); file.string("a"); file.string("b")
        file.entryU32("general.alignment", 32)
        file.tensorInfo("norm", dimensions: [4], type: 0)
        file.pad()
        for v: Float in [1, 2, 3, 4] { file.f32(v) }
        let url = try scratch.write(file)
        #expect(try GGUFFile(contentsOf: url).dequantize("norm") == [1, 2, 3, 4])
        for length in 0..<file.bytes.count {
            var cut = GGUFBytes()
            cut.raw(Array(file.bytes[0..<length]))
            let cutURL = try scratch.write(cut, name: "cut.gguf")
            #expect(throws: GGUFError.self) { try GGUFFile(contentsOf: cutURL) }
        }
    }

    @Test("two tensors sharing bytes are refused, naming both")
    func overlappingTensors() throws {
        var file = GGUFBytes()
        file.header(tensors: 2, entries: 0)
        file.tensorInfo("b", dimensions: [8], type: 0, offset: 0)
        file.tensorInfo("a", dimensions: [8], type: 0, offset: 0)
        file.pad()  // 24 + 2 × 33 bytes of infos: the data starts at 96
        file.raw([UInt8](repeating: 0, count: 32))
        try expectOpen(file) { .overlappingTensors(path: $0, tensor: "b", start: 96, previous: "a", previousEnd: 128) }
    }

    @Test("a metadata array longer than 2^24 elements is refused even when the file could hold it")
    func arrayLengthCap() throws {
        let count = GGUFParser.maximumArrayLength + 1
        let file = oneEntry { file in
            file.string("tokenizer.ggml.token_type")
            file.u32(9)
            file.u32(0)
            file.u64(UInt64(count))
            file.raw([UInt8](repeating: 1, count: count))
        }
        // 24-byte header, key (8 + 25), value type, element type: the count is at offset 65.
        try expectOpen(file) {
            .countTooLarge(path: $0, what: "element count of 'tokenizer.ggml.token_type'", count: UInt64(count),
                           limit: GGUFParser.maximumArrayLength, offset: 65)
        }
    }
}
