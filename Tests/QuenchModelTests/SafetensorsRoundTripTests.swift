import Foundation
import Testing
@testable import QuenchModel

@Suite("Safetensors writer round trips")
struct SafetensorsRoundTripTests {
    let scratch: SafetensorsScratch
    init() throws { scratch = try SafetensorsScratch() }

    /// The stored little-endian 16-bit patterns of a half-precision tensor.
    private func halfBits(_ file: SafetensorsFile, _ name: String) throws -> [UInt16] {
        let bytes = try file.bytes(name)
        return (0..<(bytes.count / 2)).map { UInt16(bytes[2 * $0]) | UInt16(bytes[2 * $0 + 1]) << 8 }
    }

    @Test func f32IsBitExact() throws {
        let values: [Float] = [
            0, -0.0, 1, -1, .pi, 1e30, -3.4e38, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, Float(bitPattern: 0x0001_16C2), .leastNormalMagnitude,
            Float(bitPattern: 0x007F_FFFF), .infinity, Float(bitPattern: 0x7FC0_1234),
        ]
        let url = scratch.url("f32.safetensors")
        try SafetensorsWriter.write([.init(name: "v", shape: [4, 4], values: .f32(values))], to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.info("v") == SafetensorsTensorInfo(name: "v", dtype: .f32, shape: [4, 4], elementCount: 16, byteRange: 0..<64))
        #expect(try file.floats("v").map(\.bitPattern) == values.map(\.bitPattern))
        var direct = [Float](repeating: 7, count: 16)
        try direct.withUnsafeMutableBufferPointer { try file.read("v", into: $0) }
        #expect(direct.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test func f16MatchesKnownBitPatterns() throws {
        let cases: [(Float, UInt16, Float)] = [
            (1, 0x3C00, 1), (-2, 0xC000, -2), (0, 0x0000, 0), (-0.0, 0x8000, -0.0),
            (65504, 0x7BFF, 65504), (65520, 0x7C00, .infinity), (1.0 / 3.0, 0x3555, 0.333251953125),
            (0x1p-24, 0x0001, 0x1p-24), (1e-8, 0x0000, 0), (-.infinity, 0xFC00, -.infinity),
            (1 + 0x1p-11, 0x3C00, 1), (1 + 3 * 0x1p-11, 0x3C02, 1 + 0x1p-9),
        ]
        let url = scratch.url("f16.safetensors")
        try SafetensorsWriter.write([.init(name: "h", shape: [cases.count], values: .f16(cases.map(\.0)))], to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.info("h")?.dtype == .f16)
        #expect(try halfBits(file, "h") == cases.map(\.1))
        #expect(try file.floats("h").map(\.bitPattern) == cases.map(\.2.bitPattern))
    }

    @Test func bf16MatchesKnownBitPatterns() throws {
        let cases: [(Float, UInt16, Float)] = [
            (1, 0x3F80, 1), (-2, 0xC000, -2), (-0.0, 0x8000, -0.0), (.pi, 0x4049, 3.140625),
            (1.00390625, 0x3F80, 1), (1.01171875, 0x3F82, 1.015625),
            (.greatestFiniteMagnitude, 0x7F80, .infinity), (Float(bitPattern: 0x0001_16C2), 0x0001, Float(bitPattern: 0x0001_0000)),
        ]
        let url = scratch.url("bf16.safetensors")
        try SafetensorsWriter.write([.init(name: "b", shape: [cases.count], values: .bf16(cases.map(\.0)))], to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(try halfBits(file, "b") == cases.map(\.1))
        #expect(try file.floats("b").map(\.bitPattern) == cases.map(\.2.bitPattern))
        #expect(SafetensorsConversion.bf16Bits(.nan) == 0x7FC0)
    }

    @Test func int32ScalarsAndEmptyTensors() throws {
        let url = scratch.url("mixed.safetensors")
        try SafetensorsWriter.write([
            .init(name: "ids", shape: [2, 3], values: .i32([Int32.min, -1, 0, 1, 255, Int32.max])),
            .init(name: "scalar", shape: [], values: .f32([2.5])),
            .init(name: "empty", shape: [0, 4], values: .f32([])),
        ], to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(try file.int32s("ids") == [Int32.min, -1, 0, 1, 255, Int32.max])
        #expect(try file.floats("scalar") == [2.5])
        #expect(file.info("scalar")?.shape == [])
        #expect(try file.floats("empty") == [])
        #expect(file.info("empty")?.elementCount == 0)
        #expect(Set(file.tensorNames) == ["ids", "scalar", "empty"])
    }

    @Test func outputIsSortedAlignedAndDeterministic() throws {
        let tensors: [SafetensorsWriter.Entry] = [
            .init(name: "zeta", shape: [3], values: .f16([1, 2, 3])),
            .init(name: "alpha", shape: [1], values: .f32([1])),
            .init(name: "mid", shape: [2], values: .bf16([1, 2])),
        ]
        let metadata = ["format": "pt", "note": "quote \" backslash \\ newline \n tab \t ctrl \u{01} é 🦙"]
        let first = scratch.url("a.safetensors")
        let second = scratch.url("b.safetensors")
        try SafetensorsWriter.write(tensors, metadata: metadata, to: first)
        try SafetensorsWriter.write(tensors.reversed(), metadata: metadata, to: second)
        let bytes = try Data(contentsOf: first)
        #expect(bytes == (try Data(contentsOf: second)))
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{\"format\":\"pt\",\"note\":"))
        let file = try SafetensorsFile(contentsOf: first)
        #expect(file.metadata == metadata)
        #expect(file.tensorNames == ["alpha", "mid", "zeta"])
        #expect(file.info("mid")?.byteRange == 4..<8)
        #expect(file.info("zeta")?.byteRange == 8..<14)
        let contents = try FileManager.default.contentsOfDirectory(atPath: scratch.directory.path)
        #expect(contents.sorted() == ["a.safetensors", "b.safetensors"])
    }

    @Test func invalidInputLeavesExistingFileUntouched() throws {
        let url = scratch.url("keep.safetensors")
        try SafetensorsWriter.write([.init(name: "w", shape: [1], values: .f32([1]))], to: url)
        let before = try Data(contentsOf: url)
        #expect(throws: SafetensorsError.valueCountMismatch(tensor: "w", shape: [2], elements: 2, values: 1)) {
            try SafetensorsWriter.write([.init(name: "w", shape: [2], values: .f32([1]))], to: url)
        }
        #expect(throws: SafetensorsError.duplicateTensorName(tensor: "w")) {
            try SafetensorsWriter.write([.init(name: "w", shape: [1], values: .f32([1])),
                                         .init(name: "w", shape: [1], values: .i32([1]))], to: url)
        }
        #expect(throws: SafetensorsError.invalidTensorName(tensor: "__metadata__")) {
            try SafetensorsWriter.write([.init(name: "__metadata__", shape: [1], values: .f32([1]))], to: url)
        }
        #expect(throws: SafetensorsError.self) {
            try SafetensorsWriter.write([.init(name: "w", shape: [1], values: .f32([1]))],
                                        to: scratch.url("missing-dir/x.safetensors"))
        }
        #expect(try Data(contentsOf: url) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.directory.path) == ["keep.safetensors"])
    }

    @Test func largeHalfTensorSpansSeveralChunks() throws {
        let count = 200_003
        let values = (0..<count).map { Float($0 % 2048) }
        let url = scratch.url("large.safetensors")
        try SafetensorsWriter.write([.init(name: "h", shape: [count], values: .f16(values)),
                                     .init(name: "b", shape: [count], values: .bf16(values))], to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(try file.floats("h") == values)
        #expect(try file.floats("b") == values.map { Float(bitPattern: UInt32(SafetensorsConversion.bf16Bits($0)) << 16) })
    }
}
