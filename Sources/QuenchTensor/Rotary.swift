import Foundation

/// Rotary position embedding in the "rotate half" layout of Hugging Face Llama checkpoints.
///
/// Shapes: B batch, T time, H heads, HS head size (even); x is (B,T,H,HS). For pair i < HS/2 at
/// position p, with angle θ = p · base^(−2i/HS):
///   y[i]        = x[i] cos θ − x[i+HS/2] sin θ
///   y[i+HS/2]   = x[i+HS/2] cos θ + x[i] sin θ
/// The backward pass is the inverse rotation (by −θ).
public struct RotaryEmbedding {
    /// Head size the table was built for.
    public let headSize: Int
    /// Largest position + 1 the table covers.
    public let maxPositions: Int
    private let cosines: Tensor  // (maxPositions, HS/2)
    private let sines: Tensor    // (maxPositions, HS/2)

    /// Precomputes cos and sin for positions `0..<maxPositions`.
    ///
    /// The inverse frequencies and angles are rounded to float32 exactly where transformers rounds
    /// them, so positions in the thousands rotate by the same angles as the reference.
    public init(headSize: Int, maxPositions: Int, theta: Double = 10_000) throws {
        guard headSize > 0, headSize % 2 == 0, theta > 0 else {
            throw TensorError.invalidArgument(
                operation: "RotaryEmbedding",
                detail: "head size must be positive and even (got \(headSize)), positions and theta positive")
        }
        try self.init(inverseFrequencies: Self.inverseFrequencies(headSize: headSize, theta: theta),
                      maxPositions: maxPositions)
    }

    /// Precomputes cos and sin for positions `0..<maxPositions` from the HS/2 angles per position
    /// step `inverseFrequencies` (pair i turns by position · inverseFrequencies[i]), e.g. scaled ones.
    public init(inverseFrequencies: [Float], maxPositions: Int) throws {
        let half = inverseFrequencies.count
        guard half > 0, maxPositions > 0, inverseFrequencies.allSatisfy({ $0.isFinite }) else {
            throw TensorError.invalidArgument(
                operation: "RotaryEmbedding",
                detail: "\(half) inverse frequencies (need at least one, all finite) for \(maxPositions) positions")
        }
        self.headSize = 2 * half
        self.maxPositions = maxPositions
        cosines = try Tensor(zeros: [maxPositions, half])
        sines = try Tensor(zeros: [maxPositions, half])
        for (i, inverseFrequency) in inverseFrequencies.enumerated() {
            for position in 0..<maxPositions {
                let angle = Float(position) * inverseFrequency
                cosines.storage[position * half + i] = Float(cos(Double(angle)))
                sines.storage[position * half + i] = Float(sin(Double(angle)))
            }
        }
    }

    /// base^(−2i/HS) for i < HS/2, in float32 as transformers computes its default `inv_freq`.
    public static func inverseFrequencies(headSize: Int, theta: Double) -> [Float] {
        let base = Float(theta)
        return (0..<(headSize / 2)).map { 1 / powf(base, Float(2 * $0) / Float(headSize)) }
    }

    /// Rotates x (B,T,H,HS) in place; `positions` (B·T) defaults to 0..<T in every row.
    public func forward(_ x: Tensor, batch: Int, time: Int, positions: [Int32]? = nil,
                        parallelism: Parallelism = .cores) throws {
        try rotate(x, batch: batch, time: time, positions: positions, direction: 1, parallelism: parallelism,
                   operation: "RotaryEmbedding.forward")
    }

    /// Turns the gradient with respect to the rotated x (B,T,H,HS) into the gradient with respect
    /// to x, in place.
    public func backward(_ grad: Tensor, batch: Int, time: Int, positions: [Int32]? = nil,
                         parallelism: Parallelism = .cores) throws {
        try rotate(grad, batch: batch, time: time, positions: positions, direction: -1, parallelism: parallelism,
                   operation: "RotaryEmbedding.backward")
    }

    private func rotate(
        _ x: Tensor, batch: Int, time: Int, positions: [Int32]?, direction: Float,
        parallelism: Parallelism, operation: String
    ) throws {
        let rows = batch * time
        guard batch > 0, time > 0, x.count > 0, x.count % (rows * headSize) == 0 else {
            throw TensorError.shapeMismatch(
                operation: operation,
                detail: "x \(describe(x.shape)) is not (B=\(batch), T=\(time), H, HS=\(headSize))")
        }
        let heads = x.count / (rows * headSize)
        if let positions {
            guard positions.count == rows else {
                throw TensorError.shapeMismatch(
                    operation: operation, detail: "\(positions.count) positions for B·T = \(rows) tokens")
            }
            for (index, p) in positions.enumerated() where p < 0 || Int(p) >= maxPositions {
                throw TensorError.indexOutOfRange(operation: operation, index: Int(p), position: index, limit: maxPositions)
            }
        } else if time > maxPositions {
            throw TensorError.indexOutOfRange(operation: operation, index: time - 1, position: time - 1, limit: maxPositions)
        }
        let half = headSize / 2, hs = headSize
        let data = x.pointer, cosTable = cosines.pointer, sinTable = sines.pointer
        let explicit = positions ?? []
        explicit.withUnsafeBufferPointer { positionBuffer in
            parallelism.forEachRange(rows, grain: 8) { range in
                for row in range {
                    let p = positionBuffer.isEmpty ? row % time : Int(positionBuffer[row])
                    let c = cosTable + p * half, s = sinTable + p * half
                    for head in 0..<heads {
                        let v = data + (row * heads + head) * hs
                        for i in 0..<half {
                            let a = v[i], b = v[i + half]
                            let sine = direction * s[i]
                            v[i] = a * c[i] - b * sine
                            v[i + half] = b * c[i] + a * sine
                        }
                    }
                }
            }
        }
    }
}
