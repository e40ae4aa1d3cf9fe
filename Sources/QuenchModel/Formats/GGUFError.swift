/// Everything that can go wrong reading, dequantizing, permuting or writing a GGUF file.
///
/// Each case names the file, the key or tensor involved and, for structural problems, the byte
/// offset where reading went wrong, so a user can tell a truncated download from a bad writer.
public enum GGUFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened, measured or mapped.
    case cannotOpen(path: String, reason: String)
    /// The first four bytes are not "GGUF".
    case notGGUF(path: String, magic: [UInt8])
    /// A version other than 2 or 3 (version 1 used 32-bit counts; later ones are unknown).
    case unsupportedVersion(path: String, version: UInt32)
    /// Reading `reading` at `offset` needs `needed` bytes but only `available` remain.
    case truncated(path: String, reading: String, offset: Int, needed: UInt64, available: Int)
    /// A count (tensors, metadata entries, array elements) that the rest of the file cannot hold.
    case countTooLarge(path: String, what: String, count: UInt64, limit: Int, offset: Int)
    /// A metadata value type number outside 0...12.
    case unknownValueType(path: String, key: String, type: UInt32, offset: Int)
    /// Arrays of arrays nested deeper than `GGUFParser.maximumArrayDepth`.
    case arrayNestedTooDeeply(path: String, key: String, offset: Int)
    /// The same metadata key appears twice.
    case duplicateKey(path: String, key: String, offset: Int)
    /// `general.alignment` is not a power of two greater than zero (or not an integer).
    case invalidAlignment(path: String, value: String)
    /// The same tensor name appears twice.
    case duplicateTensor(path: String, name: String, offset: Int)
    /// A tensor with more than 4 dimensions.
    case tooManyDimensions(path: String, tensor: String, dimensions: UInt32, offset: Int)
    /// A tensor type number ggml does not define.
    case unknownTensorType(path: String, tensor: String, type: UInt32, offset: Int)
    /// The first dimension (a row) is not a whole number of the type's blocks.
    case rowNotWholeBlocks(path: String, tensor: String, type: GGMLType, rowLength: Int)
    /// The tensor's element or byte count overflows.
    case tensorTooLarge(path: String, tensor: String, dimensions: [UInt64])
    /// A tensor's data offset is not a multiple of the file's alignment.
    case misalignedTensor(path: String, tensor: String, offset: UInt64, alignment: Int)
    /// A tensor's data runs past the end of the file.
    case tensorOutOfBounds(path: String, tensor: String, start: UInt64, byteCount: Int, fileSize: Int)
    /// A tensor's data starts inside the data of another (sorted by file offset).
    case overlappingTensors(path: String, tensor: String, start: Int, previous: String, previousEnd: Int)
    /// No tensor of that name in the file.
    case tensorNotFound(path: String, name: String)
    /// The tensor's type has no dequantizer in Quench.
    case cannotDequantize(path: String, tensor: String, type: GGMLType)
    /// The output buffer does not hold exactly the tensor's element count.
    case outputSizeMismatch(path: String, tensor: String, expected: Int, found: Int)
    /// The Q/K row permutation was asked for a shape it cannot apply to.
    case invalidPermutation(rows: Int, columns: Int, heads: Int, count: Int)
    /// Two metadata entries handed to the writer share a key.
    case duplicateKeyToWrite(path: String, key: String)
    /// Two tensors handed to the writer share a name.
    case duplicateTensorToWrite(path: String, name: String)
    /// A metadata `general.alignment` that disagrees with the writer's `alignment` argument.
    case alignmentConflict(path: String, metadata: String, alignment: Int)
    /// A metadata array whose elements are not all of one type (GGUF arrays are homogeneous).
    case mixedArray(path: String, key: String)
    /// A tensor handed to the writer whose shape is empty, too long, non-positive or does not
    /// match its value count.
    case invalidTensorShape(path: String, tensor: String, shape: [Int], valueCount: Int)
    /// Writing or renaming the output failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open GGUF file: \(reason)"
        case .notGGUF(let path, let magic):
            let hex = magic.map { String($0, radix: 16) }.joined(separator: " ")
            return "\(path): not a GGUF file (magic bytes \(hex), expected 47 47 55 46 \"GGUF\")"
        case .unsupportedVersion(let path, let version):
            return "\(path): GGUF version \(version) is not supported (Quench reads versions 2 and 3)"
        case .truncated(let path, let reading, let offset, let needed, let available):
            return "\(path): truncated at offset \(offset) reading \(reading): needs \(needed) bytes, "
                + "\(available) left in the file"
        case .countTooLarge(let path, let what, let count, let limit, let offset):
            return "\(path): \(what) at offset \(offset) is \(count), more than the \(limit) "
                + "the rest of the file could hold"
        case .unknownValueType(let path, let key, let type, let offset):
            return "\(path): metadata '\(key)' at offset \(offset) has unknown value type \(type) "
                + "(known: 0...12)"
        case .arrayNestedTooDeeply(let path, let key, let offset):
            return "\(path): metadata '\(key)' at offset \(offset) nests arrays more than "
                + "\(GGUFParser.maximumArrayDepth) deep"
        case .duplicateKey(let path, let key, let offset):
            return "\(path): metadata key '\(key)' appears twice (second at offset \(offset))"
        case .invalidAlignment(let path, let value):
            return "\(path): general.alignment is \(value); it must be a power of two greater than 0"
        case .duplicateTensor(let path, let name, let offset):
            return "\(path): tensor '\(name)' appears twice (second at offset \(offset))"
        case .tooManyDimensions(let path, let tensor, let dimensions, let offset):
            return "\(path): tensor '\(tensor)' at offset \(offset) has \(dimensions) dimensions; "
                + "GGUF allows at most 4"
        case .unknownTensorType(let path, let tensor, let type, let offset):
            return "\(path): tensor '\(tensor)' at offset \(offset) has unknown ggml type \(type)"
        case .rowNotWholeBlocks(let path, let tensor, let type, let rowLength):
            return "\(path): tensor '\(tensor)' has rows of \(rowLength) elements, not a multiple "
                + "of the \(type.blockSize)-element blocks of \(type.name)"
        case .tensorTooLarge(let path, let tensor, let dimensions):
            return "\(path): tensor '\(tensor)' with dimensions \(dimensions) is too large to address"
        case .misalignedTensor(let path, let tensor, let offset, let alignment):
            return "\(path): tensor '\(tensor)' has data offset \(offset), not a multiple of the "
                + "alignment \(alignment)"
        case .tensorOutOfBounds(let path, let tensor, let start, let byteCount, let fileSize):
            return "\(path): tensor '\(tensor)' needs \(byteCount) bytes from file offset \(start), "
                + "past the end of the \(fileSize)-byte file"
        case .overlappingTensors(let path, let tensor, let start, let previous, let previousEnd):
            return "\(path): tensor '\(tensor)' starts at file offset \(start), inside tensor '\(previous)' "
                + "which ends at \(previousEnd); tensors must not share bytes"
        case .tensorNotFound(let path, let name):
            return "\(path): no tensor named '\(name)'"
        case .cannotDequantize(let path, let tensor, let type):
            let supported = GGMLType.dequantizable.map(\.name).joined(separator: ", ")
            return "\(path): tensor '\(tensor)' has type \(type.name), which Quench cannot "
                + "dequantize; supported: \(supported)"
        case .outputSizeMismatch(let path, let tensor, let expected, let found):
            return "\(path): tensor '\(tensor)' has \(expected) elements but the output buffer "
                + "holds \(found)"
        case .invalidPermutation(let rows, let columns, let heads, let count):
            return "cannot permute the rows of a \(rows)×\(columns) matrix over \(heads) heads "
                + "(\(count) values): rows must be a positive multiple of 2×heads, columns positive, "
                + "and rows×columns equal to the value count"
        case .duplicateKeyToWrite(let path, let key):
            return "\(path): metadata key '\(key)' given twice"
        case .duplicateTensorToWrite(let path, let name):
            return "\(path): tensor '\(name)' given twice"
        case .alignmentConflict(let path, let metadata, let alignment):
            return "\(path): metadata general.alignment is \(metadata) but the writer was asked "
                + "for alignment \(alignment)"
        case .mixedArray(let path, let key):
            return "\(path): metadata '\(key)' is an array mixing element types; GGUF arrays hold "
                + "one type"
        case .invalidTensorShape(let path, let tensor, let shape, let valueCount):
            return "\(path): tensor '\(tensor)' has shape \(shape) and \(valueCount) values; a "
                + "shape needs 1 to 4 positive dimensions whose product is the value count"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write GGUF file: \(reason)"
        }
    }
}
