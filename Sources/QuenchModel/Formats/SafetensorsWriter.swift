import Foundation
import QuenchFiles

/// Writes safetensors files that any reader accepts and that are byte-identical for equal input.
///
/// Tensors are sorted by name (UTF-8 byte order) and laid out contiguously in that order; the
/// header is compact JSON with sorted keys, padded with spaces so the data starts at a multiple
/// of 8. The file is written beside its destination and renamed into place, so a reader never
/// sees a half-written file and a crash never destroys the previous one.
public enum SafetensorsWriter {
    /// A tensor's values together with the dtype they are stored as.
    public enum Values: Sendable, Equatable {
        /// Stored as F32, bit-exact.
        case f32([Float])
        /// Rounded to the nearest F16 (ties to even; beyond the F16 range becomes infinity).
        case f16([Float])
        /// Rounded to the nearest BF16 (ties to even).
        case bf16([Float])
        /// Stored as I32.
        case i32([Int32])

        /// The dtype written to the header.
        public var dtype: TensorDType {
            switch self {
            case .f32: return .f32
            case .f16: return .f16
            case .bf16: return .bf16
            case .i32: return .i32
            }
        }

        /// Number of values.
        public var count: Int {
            switch self {
            case .f32(let values), .f16(let values), .bf16(let values): return values.count
            case .i32(let values): return values.count
            }
        }
    }

    /// One tensor to write: its name, shape (outermost first) and values in row-major order.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name in the header (not empty, not `__metadata__`).
        public var name: String
        /// Dimensions, outermost first; their product must equal `values.count`.
        public var shape: [Int]
        /// The values and the dtype they are stored as.
        public var values: Values

        /// A tensor to pass to `SafetensorsWriter.write`.
        public init(name: String, shape: [Int], values: Values) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// Writes `tensors` and `metadata` to `url` atomically, replacing any existing file.
    public static func write(_ tensors: [Entry], metadata: [String: String] = [:], to url: URL) throws {
        let sorted = tensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        try validate(sorted, file: url.path)
        let header = headerBytes(sorted, metadata: metadata)
        do {
            let output = try AtomicFile.Writer(destination: url, creatingFolder: false)
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try output.write($0) }
            try header.withUnsafeBytes { try output.write($0) }
            for entry in sorted { try writeValues(entry.values, to: output) }
            try output.commit()
        } catch let failure as AtomicFile.Failure {
            throw SafetensorsError.writeFailed(file: failure.path, reason: failure.reason)
        }
    }

    private static func validate(_ sorted: [Entry], file: String) throws {
        var seen: Set<String> = []
        for entry in sorted {
            guard !entry.name.isEmpty, entry.name != "__metadata__" else {
                throw SafetensorsError.invalidTensorName(tensor: entry.name)
            }
            // A Set, as in the reader's duplicate-key check, so names equal under Swift's String
            // comparison are rejected here rather than producing a file the reader refuses.
            guard seen.insert(entry.name).inserted else { throw SafetensorsError.duplicateTensorName(tensor: entry.name) }
            var elements = 1
            for dimension in entry.shape {
                guard dimension >= 0 else {
                    throw SafetensorsError.malformedField(
                        file: file, tensor: entry.name, field: "shape", expected: "an array of non-negative integers")
                }
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw SafetensorsError.sizeOverflow(file: file, tensor: entry.name, shape: entry.shape) }
                elements = product
            }
            guard elements == entry.values.count else {
                throw SafetensorsError.valueCountMismatch(
                    tensor: entry.name, shape: entry.shape, elements: elements, values: entry.values.count)
            }
        }
    }

    /// Compact JSON, keys sorted, padded with spaces to a multiple of 8 bytes.
    private static func headerBytes(_ sorted: [Entry], metadata: [String: String]) -> [UInt8] {
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { jsonString($0.key) + ":" + jsonString($0.value) }
            members.append(jsonString("__metadata__") + ":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in sorted {
            let end = offset + entry.values.count * entry.values.dtype.byteSize
            let shape = entry.shape.map(String.init).joined(separator: ",")
            members.append(jsonString(entry.name) + ":{\"dtype\":\"\(entry.values.dtype.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var bytes = Array(("{" + members.joined(separator: ",") + "}").utf8)
        while bytes.count % 8 != 0 { bytes.append(UInt8(ascii: " ")) }
        return bytes
    }

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped.
    private static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Elements converted per chunk so half-precision output needs no full-size copy.
    private static let chunkElements = 1 << 16

    private static func writeValues(_ values: Values, to output: AtomicFile.Writer) throws {
        switch values {
        case .f32(let floats): try floats.withUnsafeBytes { try output.write($0) }
        case .i32(let integers): try integers.withUnsafeBytes { try output.write($0) }
        case .f16(let floats): try writeHalves(floats, to: output, convert: SafetensorsConversion.f16Bits)
        case .bf16(let floats): try writeHalves(floats, to: output, convert: SafetensorsConversion.bf16Bits)
        }
    }

    private static func writeHalves(
        _ floats: [Float], to output: AtomicFile.Writer, convert: (Float) -> UInt16
    ) throws {
        var chunk = [UInt16](repeating: 0, count: min(chunkElements, floats.count))
        try floats.withUnsafeBufferPointer { source in
            var start = 0
            while start < source.count {
                let count = min(chunkElements, source.count - start)
                chunk.withUnsafeMutableBufferPointer { halves in
                    for index in 0..<count { halves[index] = convert(source[start + index]).littleEndian }
                }
                try chunk.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<(2 * count)])) }
                start += count
            }
        }
    }
}
