/// Typed reads: floats from F32/F16/BF16, Int32 from I32/I64, and a finiteness check.
extension SafetensorsFile {
    /// The dtypes `floats(_:)` and `read(_:into:)` convert to Float.
    public static let floatDTypes: [TensorDType] = [.f32, .f16, .bf16]
    /// The dtypes `int32s(_:)` reads.
    public static let integerDTypes: [TensorDType] = [.i32, .i64]

    /// The tensor's elements converted to Float (F32, F16, BF16).
    public func floats(_ name: String) throws -> [Float] {
        let info = try requireInfo(name)
        return try [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initialized in
            try read(name, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<info.elementCount]))
            initialized = info.elementCount
        }
    }

    /// Converts the tensor's elements (F32, F16, BF16) straight into `destination`, whose count
    /// must equal the tensor's element count; no intermediate array, so loading a model costs one
    /// pass over the mapped bytes.
    public func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let info = try requireInfo(name)
        let convert: (UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void
        switch info.dtype {
        case .f32: convert = SafetensorsConversion.floatsFromF32
        case .f16: convert = SafetensorsConversion.floatsFromF16
        case .bf16: convert = SafetensorsConversion.floatsFromBF16
        case .i32, .i64:
            throw SafetensorsError.dtypeMismatch(file: url.path, tensor: name, dtype: info.dtype, accepted: Self.floatDTypes)
        }
        guard destination.count == info.elementCount else {
            throw SafetensorsError.countMismatch(
                file: url.path, tensor: name, elements: info.elementCount, bufferCount: destination.count)
        }
        guard let output = destination.baseAddress, let input = rawBytes(info).baseAddress else { return }
        convert(input, output, info.elementCount)
    }

    /// The tensor's elements as Int32: I32 as stored, I64 checked to fit (token ids, labels).
    public func int32s(_ name: String) throws -> [Int32] {
        let info = try requireInfo(name)
        guard Self.integerDTypes.contains(info.dtype) else {
            throw SafetensorsError.dtypeMismatch(file: url.path, tensor: name, dtype: info.dtype, accepted: Self.integerDTypes)
        }
        let input = rawBytes(info)
        let count = info.elementCount
        return try [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let output = buffer.baseAddress, let source = input.baseAddress else { return }
            if info.dtype == .i32 {
                UnsafeMutableRawPointer(output).copyMemory(from: source, byteCount: count * 4)
            } else {
                for index in 0..<count {
                    let value = Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * index, as: Int64.self))
                    guard let narrow = Int32(exactly: value) else {
                        throw SafetensorsError.integerOutOfRange(file: url.path, tensor: name, elementOffset: index, value: value)
                    }
                    output[index] = narrow
                }
            }
            initialized = count
        }
    }

    /// Throws `nonFinite` naming the first NaN or infinite element of a float tensor; integer
    /// tensors are always finite. Loaders call this so a corrupt checkpoint fails at load, not as
    /// a NaN loss many steps later.
    public func checkFinite(_ name: String) throws {
        let info = try requireInfo(name)
        guard let input = rawBytes(info).baseAddress else { return }
        let found: (offset: Int, value: String)?
        switch info.dtype {
        case .f32: found = Self.firstNonFinite(input, count: info.elementCount, exponentMask: UInt32(0x7F80_0000))
        case .f16: found = Self.firstNonFinite(input, count: info.elementCount, exponentMask: UInt16(0x7C00))
        case .bf16: found = Self.firstNonFinite(input, count: info.elementCount, exponentMask: UInt16(0x7F80))
        case .i32, .i64: found = nil
        }
        guard let found else { return }
        throw SafetensorsError.nonFinite(file: url.path, tensor: name, elementOffset: found.offset, value: found.value)
    }

    /// The first element whose exponent bits are all ones (NaN or infinity), described as "nan", "inf" or "-inf".
    private static func firstNonFinite<Bits: FixedWidthInteger & UnsignedInteger>(
        _ input: UnsafeRawPointer, count: Int, exponentMask: Bits
    ) -> (offset: Int, value: String)? {
        let signBit: Bits = 1 << (Bits.bitWidth - 1)
        for index in 0..<count {
            let bits = Bits(littleEndian: input.loadUnaligned(fromByteOffset: index * MemoryLayout<Bits>.size, as: Bits.self))
            guard bits & exponentMask == exponentMask else { continue }
            let isNaN = bits & ~(exponentMask | signBit) != 0
            return (index, isNaN ? "nan" : (bits & signBit != 0 ? "-inf" : "inf"))
        }
        return nil
    }
}
