import Foundation
import Testing
@testable import QuenchModel

/// Assembles GGUF files byte by byte, so tests control every field, including wrong ones.
struct GGUFBytes {
    var bytes: [UInt8] = []

    mutating func raw(_ values: [UInt8]) { bytes += values }
    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { little(value) }
    mutating func u32(_ value: UInt32) { little(value) }
    mutating func u64(_ value: UInt64) { little(value) }
    mutating func i8(_ value: Int8) { little(value) }
    mutating func i16(_ value: Int16) { little(value) }
    mutating func i32(_ value: Int32) { little(value) }
    mutating func i64(_ value: Int64) { little(value) }
    mutating func f32(_ value: Float) { little(value.bitPattern) }
    mutating func f64(_ value: Double) { little(value.bitPattern) }

    /// A GGUF string: u64 length then UTF-8 bytes.
    mutating func string(_ value: String) {
        u64(UInt64(value.utf8.count))
        bytes += Array(value.utf8)
    }

    /// "GGUF", version, tensor count, metadata count.
    mutating func header(version: UInt32 = 3, tensors: UInt64, entries: UInt64) {
        raw(Array("GGUF".utf8))
        u32(version)
        u64(tensors)
        u64(entries)
    }

    /// A metadata key and u32 value: `general.alignment` and friends.
    mutating func entryU32(_ key: String, _ value: UInt32) {
        string(key)
        u32(4)
        u32(value)
    }

    /// A tensor info: name, n_dims, dims (ne0 first), ggml type, offset.
    mutating func tensorInfo(_ name: String, dimensions: [UInt64], type: UInt32, offset: UInt64 = 0) {
        string(name)
        u32(UInt32(dimensions.count))
        for dimension in dimensions { u64(dimension) }
        u32(type)
        u64(offset)
    }

    /// Zero bytes up to a multiple of `alignment`.
    mutating func pad(to alignment: Int = 32) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    private mutating func little<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    /// A complete file holding one tensor with `data` and no metadata.
    static func singleTensor(_ name: String, dimensions: [UInt64], type: GGMLType, data: [UInt8]) -> GGUFBytes {
        var file = GGUFBytes()
        file.header(tensors: 1, entries: 0)
        file.tensorInfo(name, dimensions: dimensions, type: type.rawValue)
        file.pad()
        file.raw(data)
        return file
    }
}

/// A scratch directory removed when the test ends.
final class GGUFScratch {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("quench-gguf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func url(_ name: String = "model.gguf") -> URL { directory.appendingPathComponent(name) }

    /// Writes `file` and returns where.
    func write(_ file: GGUFBytes, name: String = "model.gguf") throws -> URL {
        let url = url(name)
        try Data(file.bytes).write(to: url)
        return url
    }
}

@Suite("GGUF byte-level files")
struct GGUFBytesTests {
    @Test("a header with no metadata and no tensors opens")
    func emptyFile() throws {
        let scratch = try GGUFScratch()
        var file = GGUFBytes()
        file.header(tensors: 0, entries: 0)
        let gguf = try GGUFFile(contentsOf: scratch.write(file))
        #expect(gguf.version == 3)
        #expect(gguf.tensors.isEmpty)
        #expect(gguf.metadataKeys.isEmpty)
        #expect(gguf.alignment == 32)
        #expect(gguf.dataOffset == 32)
        #expect(gguf.fileSize == 24)
    }

    @Test("version 2 files open")
    func version2() throws {
        let scratch = try GGUFScratch()
        var file = GGUFBytes()
        file.header(version: 2, tensors: 0, entries: 1)
        file.entryU32("llama.block_count", 30)
        let gguf = try GGUFFile(contentsOf: scratch.write(file))
        #expect(gguf.version == 2)
        #expect(gguf.metadata["llama.block_count"] == .uint32(30))
    }

    @Test("every metadata type reads back, nested arrays included, in file order")
    func allValueTypes() throws {
        let scratch = try GGUFScratch()
        var file = GGUFBytes()
        file.header(tensors: 0, entries: 15)
        file.string("u8"); file.u32(0); file.u8(200)
        file.string("i8"); file.u32(1); file.i8(-100)
        file.string("u16"); file.u32(2); file.u16(60_000)
        file.string("i16"); file.u32(3); file.i16(-30_000)
        file.string("u32"); file.u32(4); file.u32(4_000_000_000)
        file.string("i32"); file.u32(5); file.i32(-2_000_000_000)
        file.string("f32"); file.u32(6); file.f32(1.5)
        file.string("bool"); file.u32(7); file.u8(1)
        file.string("string"); file.u32(8); file.string("héllo")
        file.string("strings"); file.u32(9); file.u32(8); file.u64(2); file.string("a"); file.string("bc")
        file.string("u64"); file.u32(10); file.u64(UInt64.max)
        file.string("i64"); file.u32(11); file.i64(Int64.min)
        file.string("f64"); file.u32(12); file.f64(-0.25)
        // [[1, 2], []] as an array of arrays of i32.
        file.string("nested"); file.u32(9); file.u32(9); file.u64(2)
        file.u32(5); file.u64(2); file.i32(1); file.i32(2)
        file.u32(5); file.u64(0)
        file.string("scores"); file.u32(9); file.u32(6); file.u64(2); file.f32(-1); file.f32(0.5)
        let gguf = try GGUFFile(contentsOf: scratch.write(file))
        let m = gguf.metadata
        #expect(gguf.metadataKeys == [
            "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "strings", "u64", "i64",
            "f64", "nested", "scores",
        ])
        #expect(m["u8"] == .uint8(200) && m["u8"]?.int == 200)
        #expect(m["i8"] == .int8(-100) && m["i8"]?.int == -100)
        #expect(m["u16"] == .uint16(60_000))
        #expect(m["i16"] == .int16(-30_000))
        #expect(m["u32"]?.int == 4_000_000_000)
        #expect(m["i32"]?.int == -2_000_000_000)
        #expect(m["f32"] == .float32(1.5) && m["f32"]?.double == 1.5 && m["f32"]?.int == nil)
        #expect(m["bool"]?.bool == true)
        #expect(m["string"]?.string == "héllo")
        #expect(m["strings"]?.strings == ["a", "bc"])
        #expect(m["u64"] == .uint64(UInt64.max) && m["u64"]?.int == nil)
        #expect(m["i64"]?.int == Int(Int64.min))
        #expect(m["f64"]?.double == -0.25)
        #expect(m["nested"] == .array([.array([.int32(1), .int32(2)]), .array([])]))
        #expect(m["nested"]?.array?.first?.ints == [1, 2])
        #expect(m["nested"]?.strings == nil)
        #expect(m["scores"]?.floats == [-1, 0.5])
    }

    @Test("general.alignment moves the data section and is enforced on tensors")
    func customAlignment() throws {
        let scratch = try GGUFScratch()
        var file = GGUFBytes()
        file.header(tensors: 2, entries: 1)
        file.entryU32("general.alignment", 64)
        file.tensorInfo("a", dimensions: [3], type: GGMLType.f32.rawValue, offset: 0)
        file.tensorInfo("b", dimensions: [2], type: GGMLType.f32.rawValue, offset: 64)
        file.pad(to: 64)
        let dataStart = file.bytes.count
        for v: Float in [1, 2, 3] { file.f32(v) }
        file.pad(to: 64)
        for v: Float in [4, 5] { file.f32(v) }
        let gguf = try GGUFFile(contentsOf: scratch.write(file))
        #expect(gguf.alignment == 64)
        #expect(gguf.dataOffset == dataStart)
        #expect(gguf.dataOffset % 64 == 0)
        #expect(try gguf.dequantize("a") == [1, 2, 3])
        #expect(try gguf.dequantize("b") == [4, 5])
        #expect(gguf.tensor("b")?.fileOffset == dataStart + 64)
    }

    @Test("tensor infos give GGUF dimensions, the reversed HF shape and sizes")
    func tensorInfos() throws {
        let scratch = try GGUFScratch()
        var file = GGUFBytes()
        file.header(tensors: 1, entries: 0)
        file.tensorInfo("w", dimensions: [64, 3], type: GGMLType.q8_0.rawValue)
        file.pad()
        file.raw([UInt8](repeating: 0, count: 6 * 34))
        let gguf = try GGUFFile(contentsOf: scratch.write(file))
        let info = try #require(gguf.tensor("w"))
        #expect(info.dimensions == [64, 3])
        #expect(info.shape == [3, 64])
        #expect(info.type == .q8_0)
        #expect(info.elementCount == 192)
        #expect(info.byteCount == 6 * 34)
        #expect(gguf.tensor("missing") == nil)
        #expect(try gguf.withRawBytes(of: "w") { $0.count } == 204)
    }
}
