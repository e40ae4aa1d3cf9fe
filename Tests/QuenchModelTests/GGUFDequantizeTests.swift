import Foundation
import Testing
@testable import QuenchModel

/// Each supported type decoded from blocks assembled by hand, against values worked out from
/// the format definition (ggml's block_* layouts).
@Suite("GGUF dequantization")
struct GGUFDequantizeTests {
    let scratch: GGUFScratch

    init() throws { scratch = try GGUFScratch() }

    /// Writes a one-tensor file and dequantizes it.
    func decode(_ type: GGMLType, dimensions: [UInt64], data: [UInt8]) throws -> [Float] {
        let file = GGUFBytes.singleTensor("t", dimensions: dimensions, type: type, data: data)
        return try GGUFFile(contentsOf: scratch.write(file)).dequantize("t")
    }

    func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }

    @Test("F32")
    func f32() throws {
        let values: [Float] = [1.5, -2.25, 0, 3e-8, .infinity, -Float.leastNonzeroMagnitude]
        var data = GGUFBytes()
        for v in values { data.f32(v) }
        let decoded = try decode(.f32, dimensions: [3, 2], data: data.bytes)
        #expect(decoded.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test("F16: normals, subnormals, signed zero, the largest half, infinity")
    func f16() throws {
        let bits: [UInt16] = [0x3c00, 0xc000, 0x3555, 0x0001, 0x03ff, 0x7bff, 0x8000, 0x7c00]
        let expected: [Float] = [
            1, -2, 0.333251953125, 0x1p-24, 1023 * 0x1p-24, 65504, -0.0, .infinity,
        ]
        let decoded = try decode(.f16, dimensions: [8], data: bits.flatMap(le16))
        #expect(decoded.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test("BF16: the high half of a Float")
    func bf16() throws {
        let bits: [UInt16] = [0x3f80, 0xc040, 0x4049, 0x0000]
        let decoded = try decode(.bf16, dimensions: [4], data: bits.flatMap(le16))
        #expect(decoded == [1, -3, 3.140625, 0])
    }

    @Test("Q8_0: x = d × q over two blocks")
    func q8_0() throws {
        // Block 0: d = 0.5 (0x3800), q = j − 16 except q0 = −128, q31 = 127.
        // Block 1: d = −2 (0xc000), q = j.
        var q0 = (0..<32).map { Int8($0 - 16) }
        q0[0] = -128
        q0[31] = 127
        let q1 = (0..<32).map { Int8($0) }
        let data = le16(0x3800) + q0.map { UInt8(bitPattern: $0) } + le16(0xc000) + q1.map { UInt8(bitPattern: $0) }
        let decoded = try decode(.q8_0, dimensions: [32, 2], data: data)
        #expect(decoded == q0.map { 0.5 * Float($0) } + q1.map { -2 * Float($0) })
    }

    @Test("Q4_0: low nibbles are values 0..<16, high nibbles 16..<32, x = d × (q − 8)")
    func q4_0() throws {
        // d = 0.25 (0x3400); byte j holds j in the low nibble and 15 − j in the high one.
        let data = le16(0x3400) + (0..<16).map { UInt8($0 | (15 - $0) << 4) }
        let decoded = try decode(.q4_0, dimensions: [32], data: data)
        let low: [Float] = (0..<16).map { 0.25 * Float($0 - 8) }
        let high: [Float] = (0..<16).map { 0.25 * Float(7 - $0) }
        let expected = low + high
        #expect(decoded == expected)
        #expect(decoded[0] == -2 && decoded[31] == -2 && decoded[16] == 1.75)
    }

    @Test("Q4_1: x = d × q + m")
    func q4_1() throws {
        // d = 0.5 (0x3800), m = −1 (0xbc00); nibbles as in the Q4_0 test.
        let data = le16(0x3800) + le16(0xbc00) + (0..<16).map { UInt8($0 | (15 - $0) << 4) }
        let decoded = try decode(.q4_1, dimensions: [32], data: data)
        let low: [Float] = (0..<16).map { 0.5 * Float($0) - 1 }
        let high: [Float] = (0..<16).map { 0.5 * Float(15 - $0) - 1 }
        let expected = low + high
        #expect(decoded == expected)
        #expect(decoded[15] == 6.5 && decoded[16] == 6.5 && decoded[31] == -1)
    }

    @Test("Q4_K: 6-bit scales and mins packed in 12 bytes, x = d × scale × q − dmin × min")
    func q4_k() throws {
        // Sub-block scales and mins, packed by hand into the 12 bytes:
        //   bytes 0–3: scale j | (scale j+4 >> 4) << 6   bytes 4–7: min j | (min j+4 >> 4) << 6
        //   bytes 8–11: (scale j+4 & 15) | (min j+4 & 15) << 4
        let scales: [Float] = [1, 2, 3, 4, 33, 40, 63, 17]
        let mins: [Float] = [0, 1, 2, 3, 10, 20, 63, 5]
        let packed: [UInt8] = [129, 130, 195, 68, 0, 65, 194, 3, 161, 72, 255, 81]
        // 128 bytes: in chunk p (32 bytes), low nibble = value l of sub-block 2p, high = of 2p+1.
        func low(_ p: Int, _ l: Int) -> Int { (l + p) % 16 }
        func high(_ p: Int, _ l: Int) -> Int { (3 * l + p) % 16 }
        var quants: [UInt8] = []
        for p in 0..<4 { for l in 0..<32 { quants.append(UInt8(low(p, l) | high(p, l) << 4)) } }
        // d = 1 (0x3c00), dmin = 0.5 (0x3800).
        let data = le16(0x3c00) + le16(0x3800) + packed + quants
        let decoded = try decode(.q4_k, dimensions: [256], data: data)
        var expected: [Float] = []
        for p in 0..<4 {
            expected += (0..<32).map { scales[2 * p] * Float(low(p, $0)) - 0.5 * mins[2 * p] }
            expected += (0..<32).map { scales[2 * p + 1] * Float(high(p, $0)) - 0.5 * mins[2 * p + 1] }
        }
        #expect(decoded == expected)
        // Sub-block 6 (scale 63, min 63), value 0: low nibble (0 + 3) % 16 = 3 → 63·3 − 31.5;
        // sub-block 7 (scale 17, min 5), value 0: high nibble (3·0 + 3) % 16 = 3 → 17·3 − 2.5.
        #expect(decoded[192] == 157.5)
        #expect(decoded[224] == 48.5)
    }

    @Test("Q6_K: 4 low bits in ql, 2 high bits in qh, int8 scales, x = d × scale × (q − 32)")
    func q6_k() throws {
        // Value n (half h = n / 128, k = n % 128 / 32, l = n % 32) has 6-bit q(n) = 7n % 64,
        // scale scales[8h + l / 16 + 2k], low nibble in ql[64h + l + 32(k % 2)] (low half for
        // k < 2, high half otherwise) and top two bits in bits 2k, 2k+1 of qh[32h + l].
        func q(_ n: Int) -> Int { 7 * n % 64 }
        let scales: [Int8] = [1, -2, 3, -4, 5, 6, -7, 8, 9, 10, -11, 12, 13, -14, 15, 127]
        var ql = [UInt8](repeating: 0, count: 128)
        var qh = [UInt8](repeating: 0, count: 64)
        var expected: [Float] = []
        for n in 0..<256 {
            let (h, k, l) = (n / 128, n % 128 / 32, n % 32)
            let nibble = UInt8(q(n) & 15)
            ql[64 * h + l + 32 * (k % 2)] |= k < 2 ? nibble : nibble << 4
            qh[32 * h + l] |= UInt8(q(n) >> 4) << (2 * k)
            expected.append(0.25 * Float(scales[8 * h + l / 16 + 2 * k]) * Float(q(n) - 32))
        }
        // d = 0.25 (0x3400) comes last.
        let data = ql + qh + scales.map { UInt8(bitPattern: $0) } + le16(0x3400)
        let decoded = try decode(.q6_k, dimensions: [256], data: data)
        #expect(decoded == expected)
        #expect(decoded[0] == 0.25 * 1 * -32)
        #expect(decoded[255] == 0.25 * 127 * Float(7 * 255 % 64 - 32))
    }

    @Test("a large tensor decodes the same in parallel as block by block")
    func parallelMatchesSerial() throws {
        // 64 rows × 512 of Q8_0 with varying scales and quants.
        var data: [UInt8] = []
        var serial: [Float] = []
        for block in 0..<(64 * 16) {
            let scaleBits = UInt16(0x3000 + block % 512)
            data += le16(scaleBits)
            let d = Float(halfValue(scaleBits))
            for j in 0..<32 {
                let q = Int8(truncatingIfNeeded: block * 31 + j * 7)
                data.append(UInt8(bitPattern: q))
                serial.append(d * Float(q))
            }
        }
        let decoded = try decode(.q8_0, dimensions: [512, 64], data: data)
        #expect(decoded == serial)
    }

    /// The value of a half bit pattern, computed independently of the code under test.
    func halfValue(_ bits: UInt16) -> Double {
        let exponent = Int(bits >> 10 & 0x1f)
        let mantissa = Double(bits & 0x3ff)
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        return exponent == 0 ? sign * mantissa * 0x1p-24 : sign * (1 + mantissa / 1024) * pow(2, Double(exponent - 15))
    }
}
