import QuenchTensor

/// Block-wise conversion of stored GGUF tensor data to Float.
///
/// Every supported type is a sequence of self-contained blocks (`blockSize` elements in
/// `bytesPerBlock` bytes), and a row is a whole number of blocks, so the flat tensor is cut into
/// block ranges and each range decoded independently on its own core. Layouts follow ggml's
/// `block_*` structs and `dequantize_row_*` functions (ggml-common.h, ggml-quants.c).
enum GGUFDequantizer {
    /// Decodes blocks `blocks` of `source` into `destination` (which holds every block's outputs).
    typealias Kernel = (_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) -> Void

    /// The kernel for `type`, or nil when Quench cannot decode it.
    static func kernel(for type: GGMLType) -> Kernel? {
        switch type {
        case .f32: return f32
        case .f16: return f16
        case .bf16: return bf16
        case .q8_0: return q8_0
        case .q4_0: return q4_0
        case .q4_1: return q4_1
        case .q4_k: return q4_k
        case .q6_k: return q6_k
        default: return nil
        }
    }

    /// Decodes `blockCount` blocks of `kernel`'s type, split over `parallelism`.
    static func run(
        _ kernel: Kernel, type: GGMLType, source: UnsafeRawPointer, destination: UnsafeMutablePointer<Float>,
        blockCount: Int, parallelism: Parallelism = .cores
    ) {
        let grain = max(1, 16_384 / type.blockSize)
        parallelism.forEachRange(blockCount, grain: grain) { range in kernel(source, destination, range) }
    }

    @inline(__always)
    private static func load16(_ pointer: UnsafeRawPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    private static func loadHalf(_ pointer: UnsafeRawPointer, _ offset: Int) -> Float {
        GGUFHalf.float(fromHalf: load16(pointer, offset))
    }

    private static func f32(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for i in blocks {
            let bits = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
            destination[i] = Float(bitPattern: bits)
        }
    }

    private static func f16(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for i in blocks { destination[i] = loadHalf(source, 2 * i) }
    }

    private static func bf16(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for i in blocks { destination[i] = GGUFHalf.float(fromBFloat16: load16(source, 2 * i)) }
    }

    /// block_q8_0 (34 bytes, 32 values): f16 d, int8 q[32]; x = d × q.
    private static func q8_0(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for block in blocks {
            let b = source + block * 34
            let y = destination + block * 32
            let d = loadHalf(b, 0)
            for j in 0..<32 { y[j] = d * Float(b.load(fromByteOffset: 2 + j, as: Int8.self)) }
        }
    }

    /// block_q4_0 (18 bytes, 32 values): f16 d, 16 bytes whose low nibbles are values 0..<16 and
    /// high nibbles values 16..<32; x = d × (q − 8).
    private static func q4_0(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for block in blocks {
            let b = source + block * 18
            let y = destination + block * 32
            let d = loadHalf(b, 0)
            for j in 0..<16 {
                let q = b.load(fromByteOffset: 2 + j, as: UInt8.self)
                y[j] = d * Float(Int(q & 0x0f) - 8)
                y[j + 16] = d * Float(Int(q >> 4) - 8)
            }
        }
    }

    /// block_q4_1 (20 bytes, 32 values): f16 d, f16 m, 16 bytes of nibbles as in Q4_0; x = d × q + m.
    private static func q4_1(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for block in blocks {
            let b = source + block * 20
            let y = destination + block * 32
            let d = loadHalf(b, 0)
            let m = loadHalf(b, 2)
            for j in 0..<16 {
                let q = b.load(fromByteOffset: 4 + j, as: UInt8.self)
                y[j] = d * Float(q & 0x0f) + m
                y[j + 16] = d * Float(q >> 4) + m
            }
        }
    }

    /// block_q4_K (144 bytes, 256 values): f16 d, f16 dmin, 12 bytes packing eight 6-bit scales and
    /// eight 6-bit mins, 128 bytes of nibbles. Each 64 values use 32 bytes: low nibbles with
    /// sub-block 2k, high nibbles with sub-block 2k+1; x = d × scale × q − dmin × min.
    private static func q4_k(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for block in blocks {
            let b = source + block * 144
            var y = destination + block * 256
            let d = loadHalf(b, 0)
            let dmin = loadHalf(b, 2)
            let scales = b + 4
            var q = b + 16
            for pair in 0..<4 {
                let (scale0, min0) = scaleAndMin(scales, 2 * pair)
                let (scale1, min1) = scaleAndMin(scales, 2 * pair + 1)
                let d0 = d * Float(scale0), m0 = dmin * Float(min0)
                let d1 = d * Float(scale1), m1 = dmin * Float(min1)
                for l in 0..<32 {
                    let byte = q.load(fromByteOffset: l, as: UInt8.self)
                    y[l] = d0 * Float(byte & 0x0f) - m0
                    y[l + 32] = d1 * Float(byte >> 4) - m1
                }
                q += 32
                y += 64
            }
        }
    }

    /// The 6-bit scale and min of Q4_K sub-block `j` (0..<8) from the 12 packed bytes: sub-blocks
    /// 0–3 keep theirs in the low 6 bits of bytes j and j+4; sub-blocks 4–7 combine a nibble of
    /// byte j+4 with the top 2 bits of bytes j−4 (scale) and j (min).
    @inline(__always)
    private static func scaleAndMin(_ packed: UnsafeRawPointer, _ j: Int) -> (UInt8, UInt8) {
        let byte = { (index: Int) in packed.load(fromByteOffset: index, as: UInt8.self) }
        if j < 4 { return (byte(j) & 63, byte(j + 4) & 63) }
        let scale = (byte(j + 4) & 0x0f) | ((byte(j - 4) >> 6) << 4)
        let min = (byte(j + 4) >> 4) | ((byte(j) >> 6) << 4)
        return (scale, min)
    }

    /// block_q6_K (210 bytes, 256 values): ql[128] low nibbles, qh[64] high bit pairs, int8
    /// scales[16], f16 d. Each half of 128 values uses 64 bytes of ql, 32 of qh and 8 scales;
    /// value l + 32k (k in 0..<4) takes the low (k < 2) or high nibble of ql[l + 32(k & 1)] and bits
    /// 2k…2k+1 of qh[l], minus 32; x = d × scale[l / 16 + 2k] × q.
    private static func q6_k(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for block in blocks {
            let b = source + block * 210
            let d = loadHalf(b, 208)
            for half in 0..<2 {
                let ql = b + 64 * half
                let qh = b + 128 + 32 * half
                let scales = b + 192 + 8 * half
                let y = destination + block * 256 + 128 * half
                for l in 0..<32 {
                    let low0 = ql.load(fromByteOffset: l, as: UInt8.self)
                    let low1 = ql.load(fromByteOffset: l + 32, as: UInt8.self)
                    let high = qh.load(fromByteOffset: l, as: UInt8.self)
                    let q0 = Int(low0 & 0x0f | (high & 3) << 4) - 32
                    let q1 = Int(low1 & 0x0f | ((high >> 2) & 3) << 4) - 32
                    let q2 = Int(low0 >> 4 | ((high >> 4) & 3) << 4) - 32
                    let q3 = Int(low1 >> 4 | ((high >> 6) & 3) << 4) - 32
                    let s = l / 16
                    y[l] = d * Float(scales.load(fromByteOffset: s, as: Int8.self)) * Float(q0)
                    y[l + 32] = d * Float(scales.load(fromByteOffset: s + 2, as: Int8.self)) * Float(q1)
                    y[l + 64] = d * Float(scales.load(fromByteOffset: s + 4, as: Int8.self)) * Float(q2)
                    y[l + 96] = d * Float(scales.load(fromByteOffset: s + 6, as: Int8.self)) * Float(q3)
                }
            }
        }
    }
}

extension GGMLType {
    /// The types `GGUFFile.dequantize` can turn into Float, in ggml's numbering order.
    public static let dequantizable: [GGMLType] = allCases.filter { GGUFDequantizer.kernel(for: $0) != nil }
}
