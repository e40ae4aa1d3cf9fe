import Foundation
@testable import QuenchRandom

/// Token ids for the evaluation tests.
enum EvalFixtures {
    /// `count` token ids in 0..<256 from a fixed seed.
    static func tokens(_ count: Int, seed: UInt64 = 7) -> [Int32] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Int32(generator.next() % 256) }
    }
}
