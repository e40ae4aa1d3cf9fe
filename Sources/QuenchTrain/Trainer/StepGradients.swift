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
    /// block, then adds its gradient to those of the micro-batches before it.
    func accumulate(_ index: Int, backward: () throws -> Void) throws {
        gradients.flat.zero()
        try backward()
        guard let partial else { return }
        if index == 0 {
            try partial.flat.copy(from: gradients.flat)
        } else if index < microBatches - 1 {
            try Elementwise.accumulate(gradients.flat, into: partial.flat)
        } else {
            try Elementwise.accumulate(partial.flat, into: gradients.flat)
        }
    }
}
