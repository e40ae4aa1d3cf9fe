/// Turning stored tensors into Float.
extension GGUFFile {
    /// Decodes tensor `name` into `output`, in row-major order of `GGUFTensorInfo.shape`.
    ///
    /// Supports `GGMLType.dequantizable` (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K); blocks
    /// are decoded in parallel over the cores. The data was bounds-checked when the file opened.
    /// - Throws: `GGUFError.tensorNotFound`, `.cannotDequantize` for other types, or
    ///   `.outputSizeMismatch` unless `output.count` is the tensor's element count.
    public func dequantize(_ name: String, into output: UnsafeMutableBufferPointer<Float>) throws {
        let info = try requireTensor(name)
        guard let kernel = GGUFDequantizer.kernel(for: info.type) else {
            throw GGUFError.cannotDequantize(path: url.path, tensor: name, type: info.type)
        }
        guard output.count == info.elementCount else {
            throw GGUFError.outputSizeMismatch(
                path: url.path, tensor: name, expected: info.elementCount, found: output.count)
        }
        guard let destination = output.baseAddress, info.elementCount > 0 else { return }
        try withRawBytes(of: name) { bytes in
            guard let source = bytes.baseAddress else { return }
            GGUFDequantizer.run(
                kernel, type: info.type, source: source, destination: destination,
                blockCount: info.elementCount / info.type.blockSize)
        }
    }

    /// Decodes tensor `name` into a new array, in row-major order of `GGUFTensorInfo.shape`.
    ///
    /// - Throws: as `dequantize(_:into:)`.
    public func dequantize(_ name: String) throws -> [Float] {
        let info = try requireTensor(name)
        guard GGUFDequantizer.kernel(for: info.type) != nil else {
            throw GGUFError.cannotDequantize(path: url.path, tensor: name, type: info.type)
        }
        return try [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initialized in
            try dequantize(name, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<info.elementCount]))
            initialized = info.elementCount
        }
    }
}
