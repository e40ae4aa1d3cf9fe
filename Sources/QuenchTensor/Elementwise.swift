/// Element-wise arithmetic over whole tensors, split over the cores.
///
/// These are the residual adds, scalings and norms of a training step; each is one pass over memory.
public enum Elementwise {
    /// Elements per chunk below which splitting costs more than it saves.
    static let grain = 16_384

    /// output = a + b (all the same element count; output may alias a or b).
    public static func add(_ a: Tensor, _ b: Tensor, into output: Tensor, parallelism: Parallelism = .cores) throws {
        try checkSameCount("add", a, b, output)
        let x = a.pointer, y = b.pointer, z = output.pointer
        parallelism.forEachRange(output.count, grain: grain) { range in
            for i in range { z[i] = x[i] + y[i] }
        }
    }

    /// target += alpha · source.
    public static func accumulate(
        _ source: Tensor, into target: Tensor, alpha: Float = 1, parallelism: Parallelism = .cores
    ) throws {
        try checkSameCount("accumulate", source, target)
        let x = source.pointer, y = target.pointer
        parallelism.forEachRange(target.count, grain: grain) { range in
            for i in range { y[i] += alpha * x[i] }
        }
    }

    /// tensor *= factor.
    public static func scale(_ tensor: Tensor, by factor: Float, parallelism: Parallelism = .cores) {
        let x = tensor.pointer
        parallelism.forEachRange(tensor.count, grain: grain) { range in
            for i in range { x[i] *= factor }
        }
    }

    /// Σ x², accumulated in Double (for global gradient norms).
    public static func sumOfSquares(_ tensor: Tensor, parallelism: Parallelism = .cores) -> Double {
        let x = tensor.pointer
        return parallelism.sum(tensor.count, grain: grain) { range in
            var total: Double = 0
            var block: Float = 0
            // Sum blocks of 256 in Float (vectorisable), then carry each block in Double.
            var i = range.lowerBound
            while i < range.upperBound {
                let end = min(i + 256, range.upperBound)
                block = 0
                for j in i..<end { block += x[j] * x[j] }
                total += Double(block)
                i = end
            }
            return total
        }
    }

    /// output = f(input), eight lanes at a time, split over the cores.
    @inline(__always)
    static func map(
        _ operation: String, _ input: Tensor, into output: Tensor, parallelism: Parallelism,
        _ f: (VectorMath.Vector) -> VectorMath.Vector
    ) throws {
        try checkSameCount(operation, input, output)
        let x = input.pointer, y = output.pointer
        parallelism.forEachRange(output.count, grain: grain / 4) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                VectorMath.store(f(VectorMath.load(x + i)), y + i)
                i += 8
            }
            if i < range.upperBound {
                let n = range.upperBound - i
                VectorMath.storePartial(f(VectorMath.loadPartial(x + i, n)), y + i, n)
            }
        }
    }

    /// inputGrad += outputGrad · f′(input), eight lanes at a time, split over the cores.
    @inline(__always)
    static func mapBackward(
        _ operation: String, input: Tensor, outputGrad: Tensor, inputGrad: Tensor, parallelism: Parallelism,
        _ derivative: (VectorMath.Vector) -> VectorMath.Vector
    ) throws {
        try checkSameCount(operation, input, outputGrad, inputGrad)
        let x = input.pointer, dy = outputGrad.pointer, dx = inputGrad.pointer
        parallelism.forEachRange(input.count, grain: grain / 4) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let update = VectorMath.load(dx + i) + VectorMath.load(dy + i) * derivative(VectorMath.load(x + i))
                VectorMath.store(update, dx + i)
                i += 8
            }
            if i < range.upperBound {
                let n = range.upperBound - i
                let update = VectorMath.loadPartial(dx + i, n)
                    + VectorMath.loadPartial(dy + i, n) * derivative(VectorMath.loadPartial(x + i, n))
                VectorMath.storePartial(update, dx + i, n)
            }
        }
    }

    static func checkSameCount(_ operation: String, _ tensors: Tensor...) throws {
        guard let first = tensors.first, tensors.allSatisfy({ $0.count == first.count }) else {
            throw TensorError.shapeMismatch(
                operation: operation,
                detail: "operands must have equal sizes, got " + tensors.map { describe($0.shape) }.joined(separator: ", "))
        }
    }
}
