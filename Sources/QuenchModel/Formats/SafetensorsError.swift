#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong reading or writing safetensors files and sharded checkpoints.
///
/// Each case carries what a user needs to find the problem: the file, the tensor, and the offsets
/// or sizes that disagree. `file` is a path; offsets in the header are byte offsets inside the
/// header, offsets of tensor data are relative to the start of the data section (as in the
/// header's `data_offsets`).
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened, inspected or mapped (`errno` from the failing call).
    case cannotOpen(file: String, errno: Int32)
    /// The path names a directory, device or pipe rather than a regular file (`type` says which).
    case notARegularFile(file: String, type: String)
    /// The file is larger than this kind of file may be (an index, read whole).
    case fileTooLarge(file: String, size: Int, limit: Int)
    /// The caller's `FileCheck` refused the bytes read (`reason` is its error's text).
    case rejected(file: String, reason: String)
    /// The file is too short to hold the 8-byte header length.
    case fileTooShort(file: String, size: Int)
    /// The declared header length exceeds the 100 MB limit.
    case headerTooLarge(file: String, headerLength: UInt64, limit: Int)
    /// The declared header length runs past the end of the file.
    case headerBeyondFile(file: String, headerLength: UInt64, fileSize: Int)
    /// The header is not valid JSON: at byte `offset` of the header the parser expected `expected`.
    case invalidJSON(file: String, offset: Int, expected: String)
    /// A JSON object lists the same key twice (at header byte `offset`).
    case duplicateKey(file: String, key: String, offset: Int)
    /// The header is valid JSON but not an object.
    case headerNotObject(file: String)
    /// `__metadata__` is not an object (`key` nil) or its value for `key` is not a string.
    case invalidMetadata(file: String, key: String?)
    /// A tensor's entry is not an object.
    case tensorEntryNotObject(file: String, tensor: String)
    /// A tensor's entry has a field other than `dtype`, `shape`, `data_offsets`.
    case unexpectedField(file: String, tensor: String, field: String)
    /// A tensor's entry lacks one of `dtype`, `shape`, `data_offsets`.
    case missingField(file: String, tensor: String, field: String)
    /// A tensor's field has the wrong JSON type or value.
    case malformedField(file: String, tensor: String, field: String, expected: String)
    /// A tensor's dtype is one Quench does not read (named as written in the file).
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// A tensor's `data_offsets` has begin after end.
    case invalidOffsets(file: String, tensor: String, begin: Int, end: Int)
    /// The element or byte count of a tensor's shape overflows `Int`.
    case sizeOverflow(file: String, tensor: String, shape: [Int])
    /// A tensor's byte range does not match its shape and dtype.
    case sizeMismatch(file: String, tensor: String, dtype: TensorDType, shape: [Int], expectedBytes: Int, begin: Int, end: Int)
    /// Bytes `[end, begin)` of the data section belong to no tensor (`after` nil: at the start).
    case gap(file: String, after: String?, end: Int, tensor: String, begin: Int)
    /// A tensor starts before the previous one (by offset) ends.
    case overlap(file: String, tensor: String, begin: Int, previous: String, previousEnd: Int)
    /// A tensor ends past the end of the data section.
    case dataBeyondFile(file: String, tensor: String, end: Int, dataSize: Int)
    /// The tensors end at `dataEnd` but the data section holds `dataSize` bytes.
    case trailingBytes(file: String, dataEnd: Int, dataSize: Int)
    /// No tensor by this name.
    case unknownTensor(file: String, tensor: String)
    /// The tensor's dtype cannot be read this way (`accepted` lists the dtypes that can).
    case dtypeMismatch(file: String, tensor: String, dtype: TensorDType, accepted: [TensorDType])
    /// The destination buffer's element count differs from the tensor's.
    case countMismatch(file: String, tensor: String, elements: Int, bufferCount: Int)
    /// An I64 element does not fit in Int32.
    case integerOutOfRange(file: String, tensor: String, elementOffset: Int, value: Int64)
    /// A float element is NaN or infinite (`value` is "nan", "inf" or "-inf").
    case nonFinite(file: String, tensor: String, elementOffset: Int, value: String)
    /// A checkpoint directory holds neither `model.safetensors` nor `model.safetensors.index.json`.
    case noCheckpoint(directory: String)
    /// A sharded checkpoint's index is not shaped as expected.
    case invalidIndex(file: String, expected: String)
    /// The index maps a tensor to a shard name that is not a plain file name in the directory.
    case unsafeShardName(file: String, tensor: String, shard: String)
    /// The index maps a tensor to a shard that does not contain it.
    case tensorMissingFromShard(file: String, tensor: String, shard: String)
    /// Two shards both contain the tensor.
    case tensorInTwoShards(tensor: String, first: String, second: String)
    /// A shard contains a tensor the index does not map to it.
    case unmappedTensor(file: String, tensor: String)
    /// The writer was given the same tensor name twice.
    case duplicateTensorName(tensor: String)
    /// The writer was given an empty name or the reserved `__metadata__`.
    case invalidTensorName(tensor: String)
    /// The writer was given a number of values that differs from the shape's element count.
    case valueCountMismatch(tensor: String, shape: [Int], elements: Int, values: Int)
    /// Writing the file failed; `reason` says why.
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let file, let code):
            return "\(file): cannot open: \(Self.systemMessage(code))"
        case .rejected(let file, let reason):
            return "\(file): refused: \(reason)"
        case .notARegularFile(let file, let type):
            return "\(file): is \(type), not a regular file"
        case .fileTooLarge(let file, let size, let limit):
            return "\(file): holds \(size) bytes, more than the \(limit) allowed"
        case .fileTooShort(let file, let size):
            return "\(file): \(size) bytes is too short for a safetensors file (needs an 8-byte header length)"
        case .headerTooLarge(let file, let length, let limit):
            return "\(file): header length \(length) exceeds the limit of \(limit) bytes"
        case .headerBeyondFile(let file, let length, let size):
            return "\(file): header length \(length) runs past the end of the \(size)-byte file"
        case .invalidJSON(let file, let offset, let expected):
            return "\(file): header is not valid JSON: expected \(expected) at header byte \(offset)"
        case .duplicateKey(let file, let key, let offset):
            return "\(file): header lists key '\(key)' twice (second at header byte \(offset))"
        case .headerNotObject(let file):
            return "\(file): header is not a JSON object"
        case .invalidMetadata(let file, let key?):
            return "\(file): __metadata__ value for '\(key)' is not a string"
        case .invalidMetadata(let file, nil):
            return "\(file): __metadata__ is not an object of strings"
        case .tensorEntryNotObject(let file, let tensor):
            return "\(file): tensor '\(tensor)' entry is not an object with dtype, shape, data_offsets"
        case .unexpectedField(let file, let tensor, let field):
            return "\(file): tensor '\(tensor)' has unexpected field '\(field)' (allowed: dtype, shape, data_offsets)"
        case .missingField(let file, let tensor, let field):
            return "\(file): tensor '\(tensor)' lacks field '\(field)'"
        case .malformedField(let file, let tensor, let field, let expected):
            return "\(file): tensor '\(tensor)' field '\(field)' should be \(expected)"
        case .unsupportedDType(let file, let tensor, let dtype):
            let known = TensorDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(file): tensor '\(tensor)' has dtype \(dtype); Quench reads \(known)"
        case .invalidOffsets(let file, let tensor, let begin, let end):
            return "\(file): tensor '\(tensor)' has data_offsets [\(begin), \(end)] with begin after end"
        case .sizeOverflow(let file, let tensor, let shape):
            return "\(file): tensor '\(tensor)' shape \(shape) has a size that overflows"
        case .sizeMismatch(let file, let tensor, let dtype, let shape, let expected, let begin, let end):
            return "\(file): tensor '\(tensor)' (\(dtype.rawValue) \(shape)) needs \(expected) bytes "
                + "but data_offsets [\(begin), \(end)] hold \(end - begin)"
        case .gap(let file, let after, let end, let tensor, let begin):
            let start = after.map { "after tensor '\($0)'" } ?? "at the start of the data"
            return "\(file): bytes [\(end), \(begin)) \(start) belong to no tensor (next is '\(tensor)')"
        case .overlap(let file, let tensor, let begin, let previous, let previousEnd):
            return "\(file): tensor '\(tensor)' begins at \(begin), inside tensor '\(previous)' which ends at \(previousEnd)"
        case .dataBeyondFile(let file, let tensor, let end, let dataSize):
            return "\(file): tensor '\(tensor)' ends at \(end), past the \(dataSize)-byte data section"
        case .trailingBytes(let file, let dataEnd, let dataSize):
            return "\(file): tensors end at \(dataEnd) but the data section holds \(dataSize) bytes (trailing bytes)"
        case .unknownTensor(let file, let tensor):
            return "\(file): no tensor named '\(tensor)'"
        case .dtypeMismatch(let file, let tensor, let dtype, let accepted):
            let names = accepted.map(\.rawValue).joined(separator: ", ")
            return "\(file): tensor '\(tensor)' is \(dtype.rawValue); this read accepts \(names)"
        case .countMismatch(let file, let tensor, let elements, let bufferCount):
            return "\(file): tensor '\(tensor)' has \(elements) elements but the buffer holds \(bufferCount)"
        case .integerOutOfRange(let file, let tensor, let offset, let value):
            return "\(file): tensor '\(tensor)' element \(offset) is \(value), outside Int32"
        case .nonFinite(let file, let tensor, let offset, let value):
            return "\(file): tensor '\(tensor)' element \(offset) is \(value)"
        case .noCheckpoint(let directory):
            return "\(directory): holds neither model.safetensors nor model.safetensors.index.json"
        case .invalidIndex(let file, let expected):
            return "\(file): expected \(expected)"
        case .unsafeShardName(let file, let tensor, let shard):
            return "\(file): tensor '\(tensor)' maps to shard '\(shard)', which is not a plain file name"
        case .tensorMissingFromShard(let file, let tensor, let shard):
            return "\(file): tensor '\(tensor)' maps to shard '\(shard)', which does not contain it"
        case .tensorInTwoShards(let tensor, let first, let second):
            return "tensor '\(tensor)' is in both \(first) and \(second)"
        case .unmappedTensor(let file, let tensor):
            return "\(file): contains tensor '\(tensor)', which the index does not map to this shard"
        case .duplicateTensorName(let tensor):
            return "tensor name '\(tensor)' is given twice"
        case .invalidTensorName(let tensor):
            return "tensor name '\(tensor)' is empty or reserved"
        case .valueCountMismatch(let tensor, let shape, let elements, let values):
            return "tensor '\(tensor)' of shape \(shape) needs \(elements) values but was given \(values)"
        case .writeFailed(let file, let reason):
            return "\(file): cannot write: \(reason)"
        }
    }

    /// The error for a file that could not be mapped.
    init(_ failure: MappedFile.Failure, file: String) {
        switch failure {
        case .system(let code): self = .cannotOpen(file: file, errno: code)
        case .notRegular(let type): self = .notARegularFile(file: file, type: type)
        case .tooLarge(let size, let limit): self = .fileTooLarge(file: file, size: size, limit: limit)
        case .rejected(let reason): self = .rejected(file: file, reason: reason)
        }
    }

    private static func systemMessage(_ code: Int32) -> String {
        guard let message = strerror(code) else { return "errno \(code)" }
        return String(cString: message) + " (errno \(code))"
    }
}
