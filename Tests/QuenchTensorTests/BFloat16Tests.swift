@testable import QuenchTensor
import Testing

@Suite struct BFloat16Tests {
    @Test func roundsToNearestTiesToEven() {
        let cases: [(UInt32, UInt16)] = [
            (0x3F80_0000, 0x3F80),  // 1.0 exactly
            (0x3F80_8000, 0x3F80),  // halfway, lower neighbour even: down
            (0x3F81_8000, 0x3F82),  // halfway, lower neighbour odd: up
            (0x3F80_8001, 0x3F81),  // above halfway: up
            (0x3F80_7FFF, 0x3F80),  // below halfway: down
            (0x8000_0000, 0x8000),  // -0 keeps its sign
            (0x7F80_0000, 0x7F80),  // +inf
            (0xFF80_0000, 0xFF80),  // -inf
            (0x7F7F_FFFF, 0x7F80),  // the largest float rounds to +inf, as RNE must
            (0x0000_0001, 0x0000),  // the smallest subnormal rounds to zero
        ]
        for (bits, expected) in cases {
            #expect(BFloat16.rounding(Float(bitPattern: bits)) == expected, "0x\(String(bits, radix: 16))")
        }
        let nan = BFloat16.rounding(Float(bitPattern: 0x7F80_0001))
        #expect(BFloat16.widening(nan).isNaN, "a signalling NaN whose payload is in the low half stays NaN")
        #expect(BFloat16.widening(0x4049) == Float(bitPattern: 0x4049_0000))
    }

    @Test func stridedRoundingPacksRows() throws {
        let source: [Float] = [1, 2, 3, -9, 4, 5, 6, -9]  // two rows of 3, stride 4
        var packed = [UInt16](repeating: 0, count: 6)
        try source.withUnsafeBufferPointer { from in
            try packed.withUnsafeMutableBufferPointer { to in
                try BFloat16.round(rows: 2, columns: 3, source: from, sourceStride: 4, into: to)
            }
        }
        #expect(packed.map(BFloat16.widening) == [1, 2, 3, 4, 5, 6])
        #expect(throws: TensorError.self) {
            try source.withUnsafeBufferPointer { from in
                try packed.withUnsafeMutableBufferPointer { to in
                    try BFloat16.round(rows: 3, columns: 3, source: from, sourceStride: 4, into: to)
                }
            }
        }
    }

    @Test func cpuFlagsAreReadFromCpuinfo() {
        let zen4 = CPUFeatures.parse(cpuinfo: "processor\t: 0\nflags\t\t: fpu avx512f avx512_bf16 sse2\n")
        #expect(zen4.avx512BF16 && !zen4.amxBF16 && zen4.hasBF16Arithmetic)
        let old = CPUFeatures.parse(cpuinfo: "flags\t: fpu avx2 avx512f\n")
        #expect(!old.hasBF16Arithmetic)
    }

    @Test func bf16IsRefusedOnACPUWithoutIt() {
        let old = CPUFeatures(avx512BF16: false, amxBF16: false, source: "test")
        #expect(throws: TensorError.self) { try MatrixEngine(precision: .bf16, cpu: old) }
        do {
            try Precision.bf16.requireSupport(on: old)
            Issue.record("bf16 was accepted on a CPU without bf16 arithmetic")
        } catch {
            #expect("\(error)".contains("AVX512_BF16"))
            #expect("\(error)".contains("precision: fp32"))
        }
        #expect(throws: Never.self) { try Precision.fp32.requireSupport(on: old) }
    }
}
