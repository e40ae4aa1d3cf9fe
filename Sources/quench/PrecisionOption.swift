import ArgumentParser
import QuenchTensor
import QuenchTrain

/// `--precision`, shared by the commands that run a model.
struct PrecisionOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        """
        Precision of the matrix products: fp32 (the default: reproducible on every CPU, the reference \
        numbers quality gates use) or bf16 (autocast-style mixed precision, as PyTorch's CPU autocast: \
        bf16 GEMM inputs with fp32 accumulation, fp32 master weights, optimizer, norms, softmax and loss; \
        needs a CPU with AVX512_BF16 or AMX-BF16, refused elsewhere). For train: overrides the \
        configuration's `precision`.
        """, valueName: "fp32|bf16"))
    var precision: Precision?

    /// The precision asked for (fp32 without the flag), refused before anything is loaded when this
    /// CPU cannot compute in it (`TrainingConfigError.precisionUnavailable` naming the flag).
    func checked() throws -> Precision {
        let precision = self.precision ?? .fp32
        do {
            try precision.requireSupport()
        } catch let error as TensorError {
            throw TrainingConfigError.precisionUnavailable(setting: "--precision", reason: error)
        }
        return precision
    }
}

extension Precision: ExpressibleByArgument {}

/// A command's JSON result with the precision it ran in beside its own keys.
struct WithPrecision<Result: Encodable>: Encodable {
    let result: Result
    let precision: Precision

    private enum CodingKeys: String, CodingKey { case precision }

    func encode(to encoder: Encoder) throws {
        try result.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(precision, forKey: .precision)
    }
}
