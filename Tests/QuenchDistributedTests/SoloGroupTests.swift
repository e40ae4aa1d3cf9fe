import QuenchDistributed
import Testing

@Suite struct SoloGroupTests {
    @Test func aProcessAloneIsRankZeroOfOneAndItsSumsAreItsOwnValues() throws {
        let group = SoloGroup()
        #expect(group.rank == 0 && group.size == 1 && group.writes)
        var floats: [Float] = [1.5, -2, 3]
        try floats.withUnsafeMutableBufferPointer { buffer in
            try group.sum(buffer, Collective("gradients", step: 3))
        }
        #expect(floats == [1.5, -2, 3])
        var doubles = [0.25, 7]
        try group.sum(&doubles, Collective("loss"))
        #expect(doubles == [0.25, 7])
        #expect(try group.gather([1, 2, 3], Collective("agreement")) == [[1, 2, 3]])
    }

    @Test func collectivesAreNamedWithTheirStep() {
        #expect(Collective("gradients", step: 12).description == "gradients at step 12")
        #expect(Collective("start check").description == "start check")
    }
}
