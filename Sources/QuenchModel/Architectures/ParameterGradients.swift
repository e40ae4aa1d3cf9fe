import QuenchTensor

/// Gradient buffers for a model's trainable parameters, one allocation in the parameters' order.
/// A frozen parameter has no buffer at all, so its weight-gradient GEMM is skipped and it costs no
/// memory (LoRA freezes every one).
public final class ParameterGradients {
    /// The gradients of the trainable parameters; with every parameter trainable, the same layout as
    /// the model's parameters.
    public let block: TensorBlock
    private let trainable: Set<String>

    /// Buffers for `model`; `trainable` nil means every parameter.
    public init(model: CausalLM, trainable: Set<String>? = nil) throws {
        let trainable = trainable ?? Set(model.specs.map(\.name))
        block = try TensorBlock(layout: model.specs.filter { trainable.contains($0.name) }.map { ($0.name, $0.shape) },
                                alignment: model.parameters.alignment)
        self.trainable = trainable
    }

    /// The gradient of parameter `name`, or nil when it is frozen or does not exist.
    public subscript(name: String) -> Tensor? {
        guard trainable.contains(name), block.contains(name) else { return nil }
        return try? block.tensor(name)
    }

    /// The gradients of `names` seen as one tensor (see `TensorBlock.contiguous`): nil when all are
    /// frozen; an error when only some are, since they share one GEMM.
    public func contiguous(_ names: [String]) throws -> Tensor? {
        let trainableCount = names.filter { trainable.contains($0) }.count
        if trainableCount == 0 { return nil }
        guard trainableCount == names.count else {
            throw TensorError.invalidArgument(
                operation: "backward",
                detail: "\(names.joined(separator: ", ")) share one product: train all of them or none")
        }
        return try block.contiguous(names)
    }

    /// Sets every gradient to zero (before a step's first micro-batch).
    public func zero() { block.flat.zero() }
}
