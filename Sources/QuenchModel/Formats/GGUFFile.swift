import Foundation

/// A GGUF model file, memory-mapped read-only and fully validated on open.
///
/// Opening reads and checks the header, every metadata entry and every tensor info, and checks
/// each tensor's data lies inside the file, so later reads of tensor data cannot go out of bounds.
/// The mapping lives as long as this object; tensor bytes are only read on `dequantize`.
public final class GGUFFile {
    /// The file this was opened from.
    public let url: URL
    /// GGUF format version (2 or 3).
    public let version: UInt32
    /// Every metadata entry by key.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// Alignment of the data section and of each tensor's data (`general.alignment`, default 32).
    public let alignment: Int
    /// Offset of the data section from the start of the file.
    public let dataOffset: Int
    /// Size of the file in bytes.
    public let fileSize: Int

    private let mapped: MappedFile
    private let tensorIndex: [String: Int]

    /// Maps and validates the GGUF file at `url`.
    ///
    /// - Throws: `GGUFError` naming the file, the key or tensor and the offset of any problem.
    public init(contentsOf url: URL) throws {
        let path = url.path
        let mapped: MappedFile
        do {
            mapped = try MappedFile(path: path)
        } catch {
            throw GGUFError.cannotOpen(path: path, reason: error.reason)
        }
        let size = mapped.bytes.count
        guard size >= GGUFParser.headerSize else {
            throw GGUFError.truncated(
                path: path, reading: "header", offset: 0, needed: UInt64(GGUFParser.headerSize), available: size)
        }
        let layout = try GGUFParser.parse(mapped.bytes, path: path)
        self.url = url
        self.version = layout.version
        self.metadata = layout.metadata
        self.metadataKeys = layout.metadataKeys
        self.tensors = layout.tensors
        self.alignment = layout.alignment
        self.dataOffset = layout.dataOffset
        self.fileSize = size
        self.mapped = mapped
        self.tensorIndex = Dictionary(
            layout.tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The info of the tensor called `name`, or nil if the file has none.
    public func tensor(_ name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// Calls `body` with the stored (possibly quantized) bytes of tensor `name`.
    ///
    /// The buffer points into the mapping and must not escape `body`.
    public func withRawBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try requireTensor(name)
        return try body(UnsafeRawBufferPointer(rebasing: mapped.bytes[info.fileOffset..<(info.fileOffset + info.byteCount)]))
    }

    /// The info of tensor `name`, or `GGUFError.tensorNotFound`.
    func requireTensor(_ name: String) throws -> GGUFTensorInfo {
        guard let info = tensor(name) else { throw GGUFError.tensorNotFound(path: url.path, name: name) }
        return info
    }
}
