/// Where one tensor of a GGUF file lives and how it is laid out.
public struct GGUFTensorInfo: Equatable, Sendable {
    /// The GGUF tensor name, e.g. "blk.0.attn_q.weight".
    public let name: String
    /// Dimensions as GGUF stores them: ne0 (the fastest-varying, the row length) first.
    public let dimensions: [Int]
    /// Element type of the stored data.
    public let type: GGMLType
    /// Offset of the data from the start of the file's data section (as stored in the file).
    public let offset: Int
    /// Offset of the data from the start of the file.
    public let fileOffset: Int
    /// Number of elements (the product of the dimensions).
    public let elementCount: Int
    /// Bytes of stored data: elements / block size × bytes per block.
    public let byteCount: Int

    /// The row-major shape Hugging Face uses: the dimensions reversed, so (out, in) for a weight.
    ///
    /// Element i of the flat GGUF data is element i of this row-major tensor.
    public var shape: [Int] { dimensions.reversed() }
}
