import QuenchTensor

/// The global gradient norm and clipping to a maximum, as `torch.nn.utils.clip_grad_norm_` does.
public enum GradientClipping {
    /// About how many floats each partial sum of the norm covers. The block is cut into
    /// `count / normChunk` ranges whatever the compute team's size, so the norm's rounding depends
    /// on the gradients alone: ranks with different core counts clip alike.
    static let normChunk = 1 << 16

    /// √(Σ g²) over the whole block, in Double: partial sums over ranges fixed by the block's size,
    /// added in order.
    public static func norm(_ gradients: TensorBlock) -> Double {
        let flat = gradients.flat
        return Elementwise.sumOfSquares(flat, parallelism: Parallelism(workers: flat.count / normChunk)).squareRoot()
    }

    /// Scales the gradients by max / (norm + 1e-6) when the norm exceeds `maximum`; returns the
    /// norm before clipping.
    @discardableResult
    public static func clip(_ gradients: TensorBlock, maximum: Double) -> Double {
        let total = norm(gradients)
        let factor = maximum / (total + 1e-6)
        if factor < 1 { Elementwise.scale(gradients.flat, by: Float(factor)) }
        return total
    }
}
