import Foundation
import Testing
@testable import QuenchModel

/// A fresh directory per test for files the tests build byte by byte.
final class SafetensorsScratch {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("quench-safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Writes `header` with its length (or `declaredLength`) in front and `data` after it.
    func file(_ name: String = "t.safetensors", header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) throws -> URL {
        let headerBytes = Array(header.utf8)
        return try file(name, headerBytes: headerBytes, data: data, declaredLength: declaredLength)
    }

    func file(_ name: String = "t.safetensors", headerBytes: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) throws -> URL {
        let length = declaredLength ?? UInt64(headerBytes.count)
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
        bytes += headerBytes + data
        let url = url(name)
        try Data(bytes).write(to: url)
        return url
    }
}

/// One-tensor header entry as JSON text.
func entry(_ name: String, _ dtype: String = "F32", shape: [Int], _ begin: Int, _ end: Int) -> String {
    "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(begin),\(end)]}"
}

@Suite("Safetensors malformed files")
struct SafetensorsMalformedTests {
    let scratch: SafetensorsScratch
    init() throws { scratch = try SafetensorsScratch() }

    private func expectOpenFails(_ url: URL, _ expected: (String) -> SafetensorsError) {
        #expect(throws: expected(url.path)) { try SafetensorsFile(contentsOf: url) }
    }

    @Test func truncatedFiles() throws {
        let empty = scratch.url("empty.safetensors")
        try Data().write(to: empty)
        expectOpenFails(empty) { .fileTooShort(file: $0, size: 0) }
        let short = scratch.url("short.safetensors")
        try Data([1, 0, 0, 0, 0]).write(to: short)
        expectOpenFails(short) { .fileTooShort(file: $0, size: 5) }
        let cut = try scratch.file(header: "{" + entry("a", shape: [4], 0, 16) + "}", data: [UInt8](repeating: 0, count: 10))
        expectOpenFails(cut) { .dataBeyondFile(file: $0, tensor: "a", end: 16, dataSize: 10) }
    }

    @Test func headerLengthBeyondFile() throws {
        let url = try scratch.file(header: "{}", declaredLength: 1000)
        expectOpenFails(url) { .headerBeyondFile(file: $0, headerLength: 1000, fileSize: 10) }
    }

    @Test func hugeHeaderLength() throws {
        let url = try scratch.file(header: "{}", declaredLength: 200_000_000)
        expectOpenFails(url) { .headerTooLarge(file: $0, headerLength: 200_000_000, limit: 100_000_000) }
        let maximal = try scratch.file("max.safetensors", header: "{}", declaredLength: UInt64.max)
        expectOpenFails(maximal) { .headerTooLarge(file: $0, headerLength: UInt64.max, limit: 100_000_000) }
    }

    @Test func duplicateTopLevelKey() throws {
        let prefix = "{" + entry("a", shape: [1], 0, 4) + ","
        let url = try scratch.file(header: prefix + entry("a", shape: [1], 4, 8) + "}", data: [UInt8](repeating: 0, count: 8))
        expectOpenFails(url) { .duplicateKey(file: $0, key: "a", offset: prefix.utf8.count) }
    }

    @Test func duplicateKeyInsideTensorEntry() throws {
        let prefix = "{\"a\":{\"dtype\":\"F32\","
        let header = prefix + "\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        let url = try scratch.file(header: header, data: [0, 0, 0, 0])
        expectOpenFails(url) { .duplicateKey(file: $0, key: "dtype", offset: prefix.utf8.count) }
    }

    @Test func duplicateKeyInsideMetadata() throws {
        let prefix = "{\"__metadata__\":{\"k\":\"1\","
        let url = try scratch.file(header: prefix + "\"k\":\"2\"}}")
        expectOpenFails(url) { .duplicateKey(file: $0, key: "k", offset: prefix.utf8.count) }
    }

    @Test func overlappingOffsets() throws {
        let header = "{" + entry("a", shape: [2], 0, 8) + "," + entry("b", shape: [2], 4, 12) + "}"
        let url = try scratch.file(header: header, data: [UInt8](repeating: 0, count: 12))
        expectOpenFails(url) { .overlap(file: $0, tensor: "b", begin: 4, previous: "a", previousEnd: 8) }
    }

    @Test func gapBetweenTensorsAndAtStart() throws {
        let header = "{" + entry("b", shape: [1], 8, 12) + "," + entry("a", shape: [1], 0, 4) + "}"
        let url = try scratch.file(header: header, data: [UInt8](repeating: 0, count: 12))
        expectOpenFails(url) { .gap(file: $0, after: "a", end: 4, tensor: "b", begin: 8) }
        let atStart = try scratch.file("start.safetensors", header: "{" + entry("a", shape: [1], 4, 8) + "}", data: [UInt8](repeating: 0, count: 8))
        expectOpenFails(atStart) { .gap(file: $0, after: nil, end: 0, tensor: "a", begin: 4) }
    }

    @Test func trailingBytes() throws {
        let url = try scratch.file(header: "{" + entry("a", shape: [1], 0, 4) + "}", data: [UInt8](repeating: 0, count: 8))
        expectOpenFails(url) { .trailingBytes(file: $0, dataEnd: 4, dataSize: 8) }
    }

    @Test func wrongSizeForShape() throws {
        let url = try scratch.file(header: "{" + entry("a", shape: [3], 0, 8) + "}", data: [UInt8](repeating: 0, count: 8))
        expectOpenFails(url) {
            .sizeMismatch(file: $0, tensor: "a", dtype: .f32, shape: [3], expectedBytes: 12, begin: 0, end: 8)
        }
    }

    @Test(arguments: ["F8_E4M3", "U8", "F64", "f32"])
    func unknownDTypeIsNamed(dtype: String) throws {
        let url = try scratch.file(header: "{" + entry("x", dtype, shape: [1], 0, 1) + "}", data: [0])
        expectOpenFails(url) { .unsupportedDType(file: $0, tensor: "x", dtype: dtype) }
        let error = SafetensorsError.unsupportedDType(file: url.path, tensor: "x", dtype: dtype)
        #expect(error.description.hasSuffix("tensor 'x' has dtype \(dtype); Quench reads F32, F16, BF16, I32, I64"))
    }

    @Test func shapeOverflow() throws {
        let big = 1 << 40
        let url = try scratch.file(header: "{" + entry("a", shape: [big, big], 0, 0) + "}")
        expectOpenFails(url) { .sizeOverflow(file: $0, tensor: "a", shape: [big, big]) }
        let byteOverflow = try scratch.file("bytes.safetensors", header: "{" + entry("a", shape: [1 << 62], 0, 0) + "}")
        expectOpenFails(byteOverflow) { .sizeOverflow(file: $0, tensor: "a", shape: [1 << 62]) }
    }

    @Test func nonJSONHeaders() throws {
        let cases: [(String, [UInt8], Int, String)] = [
            ("text", Array("hello world!".utf8), 0, "a JSON value"),
            ("garbage", Array("{} x".utf8), 3, "end of JSON"),
            ("unterminated", Array("{\"a".utf8), 3, "a closing '\"'"),
            ("trailing-comma", Array("{\"a\":\"b\",}".utf8), 9, "a string key"),
            ("bad-utf8", [UInt8(ascii: "{"), UInt8(ascii: "\""), 0xC0, 0x80, UInt8(ascii: "\""), UInt8(ascii: ":"),
                          UInt8(ascii: "1"), UInt8(ascii: "}")], 5, "a string of valid UTF-8"),
            ("lone-surrogate", Array("{\"\\ud800\":1}".utf8), 8, "a low surrogate escape"),
            ("control", Array("{\"a\nb\":1}".utf8), 3, "an escaped control character"),
            ("leading-zero", Array("{\"a\":01}".utf8), 6, "',' or '}'"),
            ("empty", [], 0, "a JSON value"),
        ]
        for (name, bytes, offset, expected) in cases {
            let url = try scratch.file(name + ".safetensors", headerBytes: bytes)
            expectOpenFails(url) { .invalidJSON(file: $0, offset: offset, expected: expected) }
        }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let deepURL = try scratch.file("deep.safetensors", header: "{\"__metadata__\":" + deep + "}")
        expectOpenFails(deepURL) { .invalidJSON(file: $0, offset: 16 + 63, expected: "nesting at most 64 deep") }
        let array = try scratch.file("array.safetensors", header: "[1, 2]")
        expectOpenFails(array) { .headerNotObject(file: $0) }
    }

    @Test func malformedEntries() throws {
        let zeros = [UInt8](repeating: 0, count: 4)
        let metadata = try scratch.file("m.safetensors", header: "{\"__metadata__\":{\"n\":1}}")
        expectOpenFails(metadata) { .invalidMetadata(file: $0, key: "n") }
        let extra = try scratch.file("e.safetensors", header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", data: zeros)
        expectOpenFails(extra) { .unexpectedField(file: $0, tensor: "a", field: "x") }
        let missing = try scratch.file("s.safetensors", header: "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", data: zeros)
        expectOpenFails(missing) { .missingField(file: $0, tensor: "a", field: "shape") }
        let negative = try scratch.file("n.safetensors", header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", data: zeros)
        expectOpenFails(negative) { .malformedField(file: $0, tensor: "a", field: "shape", expected: "an array of non-negative integers") }
        let fraction = try scratch.file("f.safetensors", header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", data: zeros)
        expectOpenFails(fraction) { .malformedField(file: $0, tensor: "a", field: "shape", expected: "an array of non-negative integers") }
        let reversed = try scratch.file("r.safetensors", header: "{" + entry("a", shape: [1], 4, 0) + "}", data: zeros)
        expectOpenFails(reversed) { .invalidOffsets(file: $0, tensor: "a", begin: 4, end: 0) }
        let notObject = try scratch.file("o.safetensors", header: "{\"a\":[1]}")
        expectOpenFails(notObject) { .tensorEntryNotObject(file: $0, tensor: "a") }
    }

    @Test func notAFileOrMissing() throws {
        expectOpenFails(scratch.directory) { .notARegularFile(file: $0, type: "a directory") }
        expectOpenFails(scratch.url("absent.safetensors")) { .cannotOpen(file: $0, errno: ENOENT) }
    }

    @Test func nonFiniteValuesAreFoundByCheckFinite() throws {
        let url = scratch.url("nan.safetensors")
        try SafetensorsWriter.write([
            .init(name: "nan", shape: [4], values: .f32([1, 2, 3, .nan])),
            .init(name: "inf16", shape: [2], values: .f16([0, 65520])),
            .init(name: "neg", shape: [3], values: .bf16([1, -.infinity, .nan])),
            .init(name: "ok", shape: [2], values: .bf16([1, -2])),
            .init(name: "ids", shape: [1], values: .i32([-1])),
        ], to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(throws: SafetensorsError.nonFinite(file: url.path, tensor: "nan", elementOffset: 3, value: "nan")) {
            try file.checkFinite("nan")
        }
        #expect(throws: SafetensorsError.nonFinite(file: url.path, tensor: "inf16", elementOffset: 1, value: "inf")) {
            try file.checkFinite("inf16")
        }
        #expect(throws: SafetensorsError.nonFinite(file: url.path, tensor: "neg", elementOffset: 1, value: "-inf")) {
            try file.checkFinite("neg")
        }
        try file.checkFinite("ok")
        try file.checkFinite("ids")
    }

    @Test func accessErrors() throws {
        let url = scratch.url("access.safetensors")
        try SafetensorsWriter.write([.init(name: "w", shape: [2, 2], values: .f32([1, 2, 3, 4]))], to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(throws: SafetensorsError.unknownTensor(file: url.path, tensor: "v")) { try file.floats("v") }
        #expect(file.info("v") == nil)
        var small = [Float](repeating: 0, count: 3)
        #expect(throws: SafetensorsError.countMismatch(file: url.path, tensor: "w", elements: 4, bufferCount: 3)) {
            try small.withUnsafeMutableBufferPointer { try file.read("w", into: $0) }
        }
        #expect(throws: SafetensorsError.dtypeMismatch(file: url.path, tensor: "w", dtype: .f32, accepted: [.i32, .i64])) {
            try file.int32s("w")
        }
    }

    @Test func int64ReadsWithRangeCheck() throws {
        func i64Bytes(_ values: [Int64]) -> [UInt8] { values.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * Int64($0))) } } }
        let inRange = try scratch.file("ok.safetensors", header: "{" + entry("ids", "I64", shape: [3], 0, 24) + "}",
                                       data: i64Bytes([-100, 7, Int64(Int32.max)]))
        #expect(try SafetensorsFile(contentsOf: inRange).int32s("ids") == [-100, 7, Int32.max])
        let outOfRange = try scratch.file("big.safetensors", header: "{" + entry("ids", "I64", shape: [2], 0, 16) + "}",
                                          data: i64Bytes([1, 1 << 40]))
        let file = try SafetensorsFile(contentsOf: outOfRange)
        #expect(throws: SafetensorsError.integerOutOfRange(file: outOfRange.path, tensor: "ids", elementOffset: 1, value: 1 << 40)) {
            try file.int32s("ids")
        }
        #expect(throws: SafetensorsError.dtypeMismatch(file: outOfRange.path, tensor: "ids", dtype: .i64, accepted: [.f32, .f16, .bf16])) {
            try file.floats("ids")
        }
    }

    /// Every truncation and many single-byte corruptions of a valid file must throw or open, never crash.
    @Test func corruptedFilesNeverCrash() throws {
        let valid = scratch.url("valid.safetensors")
        try SafetensorsWriter.write([
            .init(name: "a", shape: [2, 3], values: .f16([1, 2, 3, 4, 5, 6])),
            .init(name: "b", shape: [2], values: .i32([1, 2])),
        ], metadata: ["k": "v"], to: valid)
        let original = [UInt8](try Data(contentsOf: valid))
        let target = scratch.url("corrupt.safetensors")
        func open(_ bytes: [UInt8]) throws {
            try Data(bytes).write(to: target)
            guard let file = try? SafetensorsFile(contentsOf: target) else { return }
            for name in file.tensorNames {
                _ = try? file.floats(name)
                _ = try? file.int32s(name)
                _ = try? file.checkFinite(name)
            }
        }
        for length in 0..<original.count { try open(Array(original[0..<length])) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var bytes = original
            bytes[Int(state >> 33) % original.count] = UInt8(truncatingIfNeeded: state >> 13)
            try open(bytes)
        }
    }
}
