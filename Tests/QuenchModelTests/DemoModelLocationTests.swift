import Foundation
import QuenchModel
import QuenchTestSupport
import Testing

/// The test support looks for the demo model where the product does (QUENCH_CACHE or ~/.cache/quench).
@Suite struct DemoModelLocationTests {
    @Test func theTestSupportLooksWhereTheProductLooks() {
        #expect(DemoModelFile.url == DemoModel.url)
        #expect(DemoModelFile.url.lastPathComponent == DemoModel.fileName)
    }
}
