import Foundation
import Testing
@testable import QuenchModel

@Suite("GGUF writer")
struct GGUFWriterTests {
    let scratch: GGUFScratch

    init() throws { scratch = try GGUFScratch() }

    static let metadata: [(String, GGUFValue)] = [
        ("general.architecture", .string("llama")),
        ("llama.block_count", .uint32(2)),
        ("llama.rope.freq_base", .float32(10_000)),
        ("flags", .array([.bool(true), .bool(false)])),
        ("tokenizer.ggml.tokens", .array([.string("<s>"), .string("é")])),
        ("nested", .array([.array([.int64(-1)]), .array([.int64(2), .int64(3)])])),
        ("mixed.scalars", .array([.int8(-1), .int8(2)])),
        ("big", .uint64(1 << 40)),
        ("f64", .float64(0.1)),
        ("u8", .uint8(7)), ("i16", .int16(-7)), ("u16", .uint16(7)), ("i32", .int32(-7)),
    ]

    /// Awkward floats: signed zero, subnormals, extremes, infinity.
    static let specials: [Float] = [
        0, -0.0, 1, -1, .pi, Float.leastNonzeroMagnitude, -Float.leastNormalMagnitude,
        Float.greatestFiniteMagnitude, -.infinity, 1e-30, 123_456.789,
    ]

    @Test("F32 export then import is bit-exact, with metadata and order preserved")
    func f32RoundTrip() throws {
        let url = scratch.url()
        let matrix = (0..<(3 * 5)).map { Float($0) * 0.37 - 2 }
        let vector = Self.specials + [Float](repeating: 0.5, count: 1)
        try GGUFWriter.write(
            metadata: Self.metadata,
            tensors: [
                .init(name: "blk.0.attn_q.weight", shape: [3, 5], values: matrix),
                .init(name: "norm", shape: [12], type: .f32, values: vector),
                .init(name: "cube", shape: [2, 1, 2, 1], values: [1, 2, 3, 4]),
            ],
            to: url)
        let gguf = try GGUFFile(contentsOf: url)
        #expect(gguf.version == 3)
        #expect(gguf.metadataKeys == Self.metadata.map(\.0))
        for (key, value) in Self.metadata { #expect(gguf.metadata[key] == value, "\(key)") }
        let q = try #require(gguf.tensor("blk.0.attn_q.weight"))
        #expect(q.shape == [3, 5] && q.dimensions == [5, 3] && q.type == .f32)
        #expect(try gguf.dequantize("blk.0.attn_q.weight").map(\.bitPattern) == matrix.map(\.bitPattern))
        #expect(try gguf.dequantize("norm").map(\.bitPattern) == vector.map(\.bitPattern))
        #expect(gguf.tensor("cube")?.shape == [2, 1, 2, 1])
        #expect(gguf.tensors.allSatisfy { $0.offset % 32 == 0 })
        #expect(gguf.alignment == 32 && gguf.metadata["general.alignment"] == nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.directory.path)
        #expect(leftovers == ["model.gguf"])
    }

    @Test("F16 export is within half precision and rounds to nearest even")
    func f16RoundTrip() throws {
        let url = scratch.url()
        let values = (0..<1000).map { sin(Float($0) * 0.1) * Float($0 % 7 + 1) } + [65504, 1e-5, -0.0]
        try GGUFWriter.write(
            metadata: [], tensors: [.init(name: "w", shape: [values.count], type: .f16, values: values)], to: url)
        let gguf = try GGUFFile(contentsOf: url)
        #expect(gguf.tensor("w")?.type == .f16)
        #expect(gguf.tensor("w")?.byteCount == 2 * values.count)
        let decoded = try gguf.dequantize("w")
        for (original, back) in zip(values, decoded) {
            // Half has an 11-bit significand: relative error at most 2^-11 for normals,
            // absolute error at most 2^-25 in the subnormal range.
            #expect(abs(back - original) <= max(abs(original) * 0x1p-11, 0x1p-25), "\(original) → \(back)")
        }
        #expect(decoded.last?.sign == .minus)
        // 1 + 2^-11 is halfway between 1 and the next half: ties to the even 1.
        try GGUFWriter.write(
            metadata: [], tensors: [.init(name: "t", shape: [3], type: .f16, values: [1 + 0x1p-11, 1 + 3 * 0x1p-11, 65520])],
            to: url)
        #expect(try GGUFFile(contentsOf: url).dequantize("t") == [1, 1 + 0x1p-9, .infinity])
    }

    @Test("a non-default alignment is written as general.alignment and honoured")
    func customAlignment() throws {
        let url = scratch.url()
        try GGUFWriter.write(
            metadata: [("general.name", .string("x"))],
            tensors: [.init(name: "a", shape: [3], values: [1, 2, 3]), .init(name: "b", shape: [1], values: [4])],
            to: url, alignment: 128)
        let gguf = try GGUFFile(contentsOf: url)
        #expect(gguf.metadata["general.alignment"] == .uint32(128))
        #expect(gguf.alignment == 128)
        #expect(gguf.dataOffset % 128 == 0)
        #expect(gguf.tensor("b")?.offset == 128)
        #expect(try gguf.dequantize("b") == [4])
    }

    @Test("writing replaces an existing file")
    func replaces() throws {
        let url = scratch.url()
        try Data("old".utf8).write(to: url)
        try GGUFWriter.write(metadata: [], tensors: [.init(name: "a", shape: [1], values: [9])], to: url)
        #expect(try GGUFFile(contentsOf: url).dequantize("a") == [9])
    }

    @Test("bad input is rejected before anything is written")
    func rejects() throws {
        let url = scratch.url()
        let path = url.path
        let one = GGUFWriter.Tensor(name: "a", shape: [1], values: [1])
        #expect(throws: GGUFError.invalidAlignment(path: path, value: "24")) {
            try GGUFWriter.write(metadata: [], tensors: [one], to: url, alignment: 24)
        }
        #expect(throws: GGUFError.duplicateKeyToWrite(path: path, key: "k")) {
            try GGUFWriter.write(metadata: [("k", .bool(true)), ("k", .bool(false))], tensors: [], to: url)
        }
        #expect(throws: GGUFError.duplicateTensorToWrite(path: path, name: "a")) {
            try GGUFWriter.write(metadata: [], tensors: [one, one], to: url)
        }
        #expect(throws: GGUFError.invalidTensorShape(path: path, tensor: "w", shape: [2, 3], valueCount: 5)) {
            try GGUFWriter.write(metadata: [], tensors: [.init(name: "w", shape: [2, 3], values: [1, 2, 3, 4, 5])], to: url)
        }
        #expect(throws: GGUFError.invalidTensorShape(path: path, tensor: "w", shape: [1, 1, 1, 1, 1], valueCount: 1)) {
            try GGUFWriter.write(metadata: [], tensors: [.init(name: "w", shape: [1, 1, 1, 1, 1], values: [1])], to: url)
        }
        #expect(throws: GGUFError.mixedArray(path: path, key: "m")) {
            try GGUFWriter.write(metadata: [("m", .array([.int32(1), .string("2")]))], tensors: [], to: url)
        }
        #expect(throws: GGUFError.alignmentConflict(path: path, metadata: "uint32(64)", alignment: 32)) {
            try GGUFWriter.write(metadata: [("general.alignment", .uint32(64))], tensors: [], to: url)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.directory.path).isEmpty)
    }
}

@Suite("GGUF half precision")
struct GGUFHalfTests {
    @Test("every finite half converts to Float and back unchanged")
    func exhaustiveRoundTrip() {
        var mismatches = 0
        for bits in 0...UInt16.max where bits & 0x7c00 != 0x7c00 || bits & 0x03ff == 0 {
            if GGUFHalf.half(from: GGUFHalf.float(fromHalf: bits)) != bits { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("rounding: ties to even, overflow to infinity, underflow to zero, NaN stays NaN")
    func rounding() {
        #expect(GGUFHalf.half(from: 1 + 0x1p-11) == 0x3c00)
        #expect(GGUFHalf.half(from: 1 + 0x1p-11 + 0x1p-20) == 0x3c01)
        #expect(GGUFHalf.half(from: 65519) == 0x7bff)
        #expect(GGUFHalf.half(from: 65520) == 0x7c00)
        #expect(GGUFHalf.half(from: -1e10) == 0xfc00)
        #expect(GGUFHalf.half(from: 0x1p-25) == 0x0000)
        #expect(GGUFHalf.half(from: 0x1p-25 + 0x1p-40) == 0x0001)
        #expect(GGUFHalf.half(from: 3 * 0x1p-25) == 0x0002)
        #expect(GGUFHalf.half(from: -0x1p-30) == 0x8000)
        #expect(GGUFHalf.half(from: 0x1p-14 - 0x1p-26) == 0x0400)
        #expect(GGUFHalf.float(fromHalf: GGUFHalf.half(from: .nan)).isNaN)
    }
}
