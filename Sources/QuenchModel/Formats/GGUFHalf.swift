/// Conversions between Float and the 16-bit float formats GGUF stores (IEEE half and bfloat16).
///
/// Done on bit patterns rather than with `Float16`, which is missing on macOS x86_64.
enum GGUFHalf {
    /// The Float an IEEE 754 half-precision bit pattern stands for (exact: every half is a Float).
    @inline(__always)
    static func float(fromHalf bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1f
        let mantissa = UInt32(bits & 0x3ff)
        if exponent == 0x1f {  // infinity or NaN
            return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
        }
        if exponent == 0 {  // zero or subnormal: mantissa × 2^-24
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// The half-precision bit pattern nearest to `value`, ties to even (IEEE default rounding).
    ///
    /// Values beyond the half range become infinity; NaN stays a (quiet) NaN.
    @inline(__always)
    static func half(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xff)
        let mantissa = bits & 0x7f_ffff
        if exponent == 0xff {
            return mantissa == 0 ? sign | 0x7c00 : sign | 0x7e00 | UInt16(mantissa >> 13)
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 0x1f { return sign | 0x7c00 }
        if halfExponent <= 0 {
            // Subnormal half (or zero): the 24-bit significand shifted down, rounded to even.
            guard halfExponent >= -10 else { return sign }
            let significand = mantissa | 0x80_0000
            let shift = UInt32(14 - halfExponent)
            return sign | UInt16(roundShifted(significand, by: shift))
        }
        // Normal: a carry out of the mantissa correctly bumps the exponent (up to infinity).
        let truncated = UInt32(halfExponent) << 10 | (mantissa >> 13)
        let rest = mantissa & 0x1fff
        let rounded = rest > 0x1000 || (rest == 0x1000 && truncated & 1 == 1) ? truncated + 1 : truncated
        return sign | UInt16(rounded)
    }

    /// The Float a bfloat16 bit pattern stands for (the high half of a Float).
    @inline(__always)
    static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// `value >> shift` rounded to nearest, ties to even.
    @inline(__always)
    private static func roundShifted(_ value: UInt32, by shift: UInt32) -> UInt32 {
        let truncated = value >> shift
        let rest = value & ((1 << shift) - 1)
        let halfway: UInt32 = 1 << (shift - 1)
        return rest > halfway || (rest == halfway && truncated & 1 == 1) ? truncated + 1 : truncated
    }
}
