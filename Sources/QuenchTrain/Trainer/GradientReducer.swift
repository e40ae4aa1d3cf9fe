import QuenchDistributed
import QuenchTensor

/// Sums the step's gradient over the ranks, in place, so every rank holds the same step gradient.
///
/// Each rank scaled its loss by 1 / (the scored tokens of the whole step), so the sum is the mean
/// one process would compute; no rank divides by the rank count. A block of at most `bucketFloats`
/// (LoRA's adapters) goes in one call; a larger one in buckets of that size, all started before any
/// is waited for, so the transfers overlap. A group of one makes no call at all.
public final class GradientReducer {
    /// Floats per bucket: 16 Mi floats (64 MiB), large enough that the per-message latency is noise.
    public static let defaultBucketFloats = 16 << 20

    /// The block summed in place.
    public let gradients: TensorBlock
    /// The ranks it is summed over.
    public let group: any ProcessGroup
    /// The ranges of the gradient block summed by one call each, in order, covering it exactly once.
    public let buckets: [Range<Int>]

    /// Reduces `gradients` over `group` in buckets of at most `bucketFloats` floats.
    public init(gradients: TensorBlock, group: any ProcessGroup, bucketFloats: Int = defaultBucketFloats) {
        self.gradients = gradients
        self.group = group
        let count = gradients.flat.count, size = max(bucketFloats, 1)
        buckets = stride(from: 0, to: count, by: size).map { $0 ..< min($0 + size, count) }
    }

    /// Sums the gradient block over the ranks for optimizer step `step` (named in errors).
    public func reduce(step: Int) throws(DistributedError) {
        guard group.size > 1 else { return }
        let flat = gradients.flat.storage
        var pending: [any PendingCollective] = []
        for bucket in buckets {
            pending.append(try group.startSum(UnsafeMutableBufferPointer(rebasing: flat[bucket]),
                                              Collective("gradient sum", step: step)))
        }
        for collective in pending { try collective.wait() }
    }
}
