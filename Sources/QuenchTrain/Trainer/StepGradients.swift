import QuenchTensor

/// A step's gradient as the sum of its micro-batches' gradients, each computed from zero and added
/// in micro-batch order: `((G₀ + G₁) + G₂) + …`.
///
/// Backward adds into the gradient block kernel by kernel, so accumulating micro-batches in place
/// would fold one micro-batch's rows into the previous one's partial sums: a rounding no other split
/// of the work reproduces. Summed whole, micro-batch by micro-batch, two ranks computing G₀ and G₁
/// and adding them get the same bits as one process computing both (IEEE addition commutes).
///
/// With one micro-batch the gradient block is the step's gradient; with more, the sum of those
/// before the last is kept in an accumulator (one more block of the gradients' size) and the last
/// is added onto it, so the step's gradient always ends in the gradient block.
final class StepGradients {
    /// The block backward writes into, which holds the step's gradient once the last micro-batch is in.
    let gradients: TensorBlock
    /// How many micro-batches make the step here.
    let microBatches: Int
    /// The sum of the micro-batches before the current one (nil with one micro-batch).
    private let partial: TensorBlock?

    /// Sums `microBatches` micro-batches into `gradients`.
    init(gradients: TensorBlock, microBatches: Int) throws {
        self.gradients = gradients
        self.microBatches = microBatches
        partial = microBatches > 1 ? try TensorBlock(sameLayoutAs: gradients) : nil
    }

    /// Runs `backward` for micro-batch `index` (0 ..< microBatches, in order) into the zeroed gradient
    /// block, then adds its gradient to those of the micro-batches before it, giving `backward` what to
    /// pass as `finished` to `CausalLM.backward`: for the last
    /// micro-batch, `reporting` (`GradientReducer.backwardHook`), with the earlier micro-batches' sum
    /// added into each range backward finishes before `reporting` sees it, so a bucket sent while
    /// backward runs already holds the step's gradient; nil for the other micro-batches, whose ranges
    /// are not the step's yet. Each float is the same one addition as without `reporting`; the
    /// reducer checks that the ranges cover the block exactly once, which this relies on.
    func accumulate(_ index: Int, reporting: ((Range<Int>) throws -> Void)?,
                    backward: (((Range<Int>) throws -> Void)?) throws -> Void) throws {
        gradients.flat.zero()
        let last = index == microBatches - 1
        guard let partial else { return try backward(last ? reporting : nil) }
        if last, let reporting {
            try backward { [gradients] range in
                try Elementwise.accumulate(Self.floats(range, of: partial), into: Self.floats(range, of: gradients))
                try reporting(range)
            }
            return
        }
        try backward(nil)
        if index == 0 {
            try partial.flat.copy(from: gradients.flat)
        } else if !last {
            try Elementwise.accumulate(gradients.flat, into: partial.flat)
        } else {
            try Elementwise.accumulate(partial.flat, into: gradients.flat)
        }
    }

    /// The floats `range` of `block`, as one tensor sharing its storage.
    private static func floats(_ range: Range<Int>, of block: TensorBlock) throws -> Tensor {
        guard range.lowerBound >= 0, range.upperBound <= block.flat.count else {
            throw TensorError.invalidArgument(
                operation: "step gradient", detail: "backward reported \(range) of a block of \(block.flat.count) floats")
        }
        return try Tensor(borrowing: UnsafeMutableBufferPointer(rebasing: block.flat.storage[range]), shape: [range.count])
    }
}
