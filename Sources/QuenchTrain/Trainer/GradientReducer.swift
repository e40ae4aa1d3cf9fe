import QuenchDistributed
import QuenchModel
import QuenchTensor

/// Sums the step's gradient over the ranks, in place, so every rank holds the same step gradient.
///
/// Each rank scaled its loss by 1 / (the scored tokens of the whole step), so the sum is the mean
/// one process would compute; no rank divides by the rank count. A block of at most `bucketFloats`
/// goes in one call; a larger one in buckets of that size, every float in exactly one.
///
/// Where it pays, buckets start while backward is still running (`backwardHook`): backward finishes
/// the gradient block from the top down (head, last layer … first layer, embedding), so a bucket is
/// sent as soon as all of its floats are final, and the transfers of the upper layers hide under the
/// backward of the lower ones. Alone there is nothing to sum. LoRA's adapters are small (10 MB at
/// 135M, 84 MB at 8B), one call after backward, and are not in the block backward reports. A block of one bucket holds the
/// embedding, final only when backward ends, so nothing could start earlier. Each bucket is summed by
/// the same call over the same floats whenever it starts, so overlapping changes no bit of the result.
public final class GradientReducer {
    /// Floats per bucket: 16 Mi floats (64 MiB), large enough that the per-message latency is noise.
    public static let defaultBucketFloats = 16 << 20

    /// The block summed in place.
    public let gradients: TensorBlock
    /// The ranks it is summed over.
    public let group: any ProcessGroup
    /// The ranges of the gradient block summed by one call each, in order, covering it exactly once.
    public let buckets: [Range<Int>]
    private let bucketFloats: Int
    /// Per bucket, the floats backward has not reported final yet in this step.
    private var unreported: [Int]
    /// Per bucket, its sum once started in this step.
    private var started: [(any PendingCollective)?]
    /// Whether this step handed out a hook: then backward must report the whole block, or the
    /// earlier micro-batches' sum (added range by range as reported) is missing from what is sent.
    private var hookIssued = false

    /// Reduces `gradients` over `group` in buckets of at most `bucketFloats` floats.
    public init(gradients: TensorBlock, group: any ProcessGroup, bucketFloats: Int = defaultBucketFloats) {
        self.gradients = gradients
        self.group = group
        let count = gradients.flat.count, size = max(bucketFloats, 1)
        self.bucketFloats = size
        buckets = stride(from: 0, to: count, by: size).map { $0 ..< min($0 + size, count) }
        unreported = buckets.map(\.count)
        started = Array(repeating: nil, count: buckets.count)
    }

    /// Whether buckets start during backward: with several ranks and several buckets.
    public var overlapsBackward: Bool { group.size > 1 && buckets.count > 1 }

    /// What to pass as `finished` to `CausalLM.backward` for the pass that completes step `step`'s
    /// gradient in `modelGradients` (the last micro-batch's): it starts each bucket once backward has
    /// reported all of its floats final, and moves the started sums on between layers (Open MPI
    /// progresses a non-blocking collective only inside MPI calls). Nil when overlapping does not pay
    /// or `modelGradients` is not the block summed here (LoRA).
    public func backwardHook(for modelGradients: ParameterGradients, step: Int) -> ((Range<Int>) throws -> Void)? {
        guard overlapsBackward, modelGradients.block === gradients else { return nil }
        hookIssued = true
        return { range in try self.finished(range, step: step) }
    }

    /// Sums the gradient block over the ranks for optimizer step `step` (named in errors): starts the
    /// buckets backward did not start, then waits for all.
    /// - Throws: `DistributedError` when a sum fails or times out; `TensorError.invalidArgument` when
    ///   this step handed out a hook (or backward reported part of the block) and backward did not
    ///   report all of it final, or reported a float twice: nothing is sent then.
    public func reduce(step: Int) throws {
        guard group.size > 1 else { return }
        defer {
            unreported = buckets.map(\.count)
            started = Array(repeating: nil, count: buckets.count)
            hookIssued = false
        }
        let reported = hookIssued || zip(unreported, buckets).contains { $0 != $1.count }
        if reported, let bucket = unreported.firstIndex(where: { $0 != 0 }) {
            throw TensorError.invalidArgument(
                operation: "gradient sum",
                detail: "backward left \(unreported[bucket]) floats of bucket \(buckets[bucket]) unreported at step \(step)")
        }
        for bucket in buckets.indices where started[bucket] == nil { try start(bucket, step: step) }
        for pending in started { try pending?.wait() }
    }

    /// Notes that backward wrote the last of `range` for step `step`, starts the buckets that are
    /// now final, and polls the sums in flight.
    func finished(_ range: Range<Int>, step: Int) throws {
        guard range.lowerBound >= 0, range.upperBound <= gradients.flat.count else {
            throw TensorError.invalidArgument(
                operation: "gradient sum", detail: "backward reported \(range) of a block of \(gradients.flat.count) floats")
        }
        var bucket = range.lowerBound / bucketFloats
        while bucket < buckets.count, buckets[bucket].lowerBound < range.upperBound {
            let floats = buckets[bucket].clamped(to: range).count
            guard floats <= unreported[bucket] else {
                throw TensorError.invalidArgument(
                    operation: "gradient sum", detail: "backward reported floats of \(range) final twice at step \(step)")
            }
            unreported[bucket] -= floats
            if unreported[bucket] == 0 { try start(bucket, step: step) }
            bucket += 1
        }
        for pending in started { _ = try pending?.poll() }
    }

    private func start(_ bucket: Int, step: Int) throws(DistributedError) {
        let floats = UnsafeMutableBufferPointer(rebasing: gradients.flat.storage[buckets[bucket]])
        started[bucket] = try group.startSum(floats, Collective("gradient sum", step: step))
    }
}
