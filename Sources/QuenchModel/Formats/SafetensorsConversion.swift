/// Bit-level conversions between Float and the half-width float formats safetensors stores.
///
/// Loops run over raw pointers with unaligned loads because tensor data in a safetensors file
/// need not be aligned (offsets are only byte offsets).
enum SafetensorsConversion {
    /// Copies little-endian F32 bytes into floats.
    static func floatsFromF32(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, _ count: Int) {
        UnsafeMutableRawPointer(output).copyMemory(from: input, byteCount: count * MemoryLayout<Float>.size)
    }

    /// Widens IEEE half-precision values (exact: every F16 is a Float).
    static func floatsFromF16(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, _ count: Int) {
        for index in 0..<count {
            let bits = UInt16(littleEndian: input.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
            output[index] = Float(Float16(bitPattern: bits))
        }
    }

    /// Widens bfloat16 values: a bfloat16 is the top half of a Float's bits.
    static func floatsFromBF16(_ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>, _ count: Int) {
        for index in 0..<count {
            let bits = UInt16(littleEndian: input.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
            output[index] = Float(bitPattern: UInt32(bits) << 16)
        }
    }

    /// The F16 bit pattern nearest to `value` (round to nearest even; overflow gives infinity).
    static func f16Bits(_ value: Float) -> UInt16 { Float16(value).bitPattern }

    /// The bfloat16 bit pattern nearest to `value` (round to nearest even; NaN stays a quiet NaN).
    static func bf16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }
}
