import Foundation

#if _endian(big)
#error("Quench reads and writes safetensors (little-endian) on little-endian hosts only")
#endif

/// One safetensors file, memory-mapped and fully validated on open.
///
/// The whole header (JSON syntax, duplicate keys, dtypes, shapes, offsets, sizes) is checked in
/// `init`, so every later access only touches bytes already proven to lie inside the mapping.
/// The mapping lives as long as this object; buffers from `bytes(_:)` are valid only that long.
public final class SafetensorsFile {
    /// Where the file was opened from.
    public let url: URL
    /// The header's `__metadata__` (empty when absent).
    public let metadata: [String: String]
    /// Tensor names in data order (by begin offset).
    public let tensorNames: [String]

    private let mapping: MappedFile
    private let dataStart: Int
    private let tensors: [String: SafetensorsTensorInfo]

    /// Maps and validates the file at `url`; throws `SafetensorsError` naming the first problem.
    public init(contentsOf url: URL) throws {
        let path = url.path
        let mapping: MappedFile
        do {
            mapping = try MappedFile(path: path)
        } catch {
            throw SafetensorsError(error, file: path)
        }
        let bytes = mapping.bytes
        guard bytes.count >= 8 else { throw SafetensorsError.fileTooShort(file: path, size: bytes.count) }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard headerLength <= UInt64(SafetensorsHeader.maximumLength) else {
            throw SafetensorsError.headerTooLarge(
                file: path, headerLength: headerLength, limit: SafetensorsHeader.maximumLength)
        }
        let headerEnd = 8 + Int(headerLength)
        guard headerEnd <= bytes.count else {
            throw SafetensorsError.headerBeyondFile(file: path, headerLength: headerLength, fileSize: bytes.count)
        }
        let header = try SafetensorsHeader(
            json: UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd]), dataSize: bytes.count - headerEnd, file: path)
        self.url = url
        self.mapping = mapping
        self.dataStart = headerEnd
        self.metadata = header.metadata
        self.tensorNames = header.tensors.map(\.name)
        self.tensors = Dictionary(header.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The tensor's dtype, shape and byte range, or nil when the file has no such tensor.
    public func info(_ name: String) -> SafetensorsTensorInfo? { tensors[name] }

    /// The tensor's raw little-endian bytes, valid while this object lives.
    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let info = try requireInfo(name)
        return rawBytes(info)
    }

    func requireInfo(_ name: String) throws -> SafetensorsTensorInfo {
        guard let info = tensors[name] else { throw SafetensorsError.unknownTensor(file: url.path, tensor: name) }
        return info
    }

    /// The tensor's bytes; in bounds because `SafetensorsHeader` proved every range lies in the data section.
    func rawBytes(_ info: SafetensorsTensorInfo) -> UnsafeRawBufferPointer {
        let range = (dataStart + info.byteRange.lowerBound)..<(dataStart + info.byteRange.upperBound)
        return UnsafeRawBufferPointer(rebasing: mapping.bytes[range])
    }
}
