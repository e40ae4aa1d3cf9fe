import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes GGUF version 3 files of F32 or F16 tensors, e.g. to export a fine-tuned model.
///
/// The file is written to a temporary file beside `url` and renamed into place, so a reader
/// never sees a half-written model.
public enum GGUFWriter {
    /// How a tensor's values are stored.
    public enum ElementType: Sendable, Equatable {
        /// Exact 32-bit floats.
        case f32
        /// IEEE half precision, rounded to nearest even; half the size.
        case f16

        var ggmlType: GGMLType { self == .f32 ? .f32 : .f16 }
    }

    /// One tensor to write.
    public struct Tensor: Sendable {
        /// GGUF tensor name, e.g. "blk.0.attn_q.weight".
        public var name: String
        /// Row-major shape as Hugging Face uses it (out, in); GGUF stores it reversed.
        public var shape: [Int]
        /// How the values are stored.
        public var type: ElementType
        /// The values in row-major order; their count is the product of `shape`.
        public var values: [Float]

        /// A tensor of `values` laid out row-major in `shape`, stored as `type`.
        public init(name: String, shape: [Int], type: ElementType = .f32, values: [Float]) {
            self.name = name
            self.shape = shape
            self.type = type
            self.values = values
        }
    }

    /// Writes `metadata` (in the given order) and `tensors` as a GGUF v3 file at `url`.
    ///
    /// Adds `general.alignment` when `alignment` is not the default 32.
    /// - Throws: `GGUFError` for a bad alignment, duplicate keys or tensor names, a shape that
    ///   does not match its values, a mixed-type array, or a failed write.
    public static func write(
        metadata: [(String, GGUFValue)], tensors: [Tensor], to url: URL, alignment: Int = 32
    ) throws {
        let path = url.path
        guard alignment > 0, alignment.nonzeroBitCount == 1, alignment <= 1 << 31 else {
            throw GGUFError.invalidAlignment(path: path, value: "\(alignment)")
        }
        let entries = try completeMetadata(metadata, alignment: alignment, path: path)
        let dimensions = try tensors.map { try validate($0, path: path) }
        var names: Set<String> = []
        for tensor in tensors {
            guard names.insert(tensor.name).inserted else {
                throw GGUFError.duplicateTensorToWrite(path: path, name: tensor.name)
            }
        }

        var encoder = GGUFEncoder(path: path)
        encoder.append(UInt32(0x4655_4747))  // "GGUF" as little-endian bytes
        encoder.append(UInt32(3))
        encoder.append(UInt64(tensors.count))
        encoder.append(UInt64(entries.count))
        for (key, value) in entries { try encoder.appendEntry(key: key, value: value) }
        var offset = 0
        for (tensor, dims) in zip(tensors, dimensions) {
            encoder.appendTensorInfo(name: tensor.name, dimensions: dims, type: tensor.type.ggmlType, offset: offset)
            let size = tensor.values.count * tensor.type.ggmlType.bytesPerBlock
            offset += size + GGUFEncoder.padding(for: size, alignment: alignment)
        }
        encoder.pad(to: alignment)

        try GGUFFileOutput.replace(url) { output in
            try output.emit(encoder.bytes)
            for tensor in tensors {
                try output.emitValues(tensor.values, as: tensor.type)
                let size = tensor.values.count * tensor.type.ggmlType.bytesPerBlock
                try output.emit([UInt8](repeating: 0, count: GGUFEncoder.padding(for: size, alignment: alignment)))
            }
        }
    }

    /// Rejects duplicate keys and a conflicting `general.alignment`, and adds it when needed.
    private static func completeMetadata(
        _ metadata: [(String, GGUFValue)], alignment: Int, path: String
    ) throws -> [(String, GGUFValue)] {
        var keys: Set<String> = []
        for (key, value) in metadata {
            guard keys.insert(key).inserted else { throw GGUFError.duplicateKeyToWrite(path: path, key: key) }
            if key == "general.alignment", value.int != alignment {
                throw GGUFError.alignmentConflict(path: path, metadata: String(describing: value), alignment: alignment)
            }
        }
        guard alignment != GGUFParser.defaultAlignment, !keys.contains("general.alignment") else { return metadata }
        return metadata + [("general.alignment", .uint32(UInt32(alignment)))]
    }

    /// Checks the shape and returns the GGUF dimensions (ne0 first).
    private static func validate(_ tensor: Tensor, path: String) throws -> [Int] {
        var count = 1
        var valid = (1...GGUFParser.maximumDimensions).contains(tensor.shape.count)
        for dimension in tensor.shape where valid {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            valid = dimension > 0 && !overflow
            count = product
        }
        guard valid, count == tensor.values.count else {
            throw GGUFError.invalidTensorShape(
                path: path, tensor: tensor.name, shape: tensor.shape, valueCount: tensor.values.count)
        }
        return tensor.shape.reversed()
    }
}
