import Foundation
import QuenchModel
import QuenchTensor
import QuenchTrain
import Testing
import QuenchTestSupport

/// The bf16 references of a tiny fixture, `Resources/<fixture>/bf16-reference.safetensors`, made by
/// scripts/make-bf16-reference.py (its docstring says how each variant computes).
struct BF16Reference {
    /// A variant, as the key prefix the script gives it.
    enum Variant: String {
        /// Quench's scheme emulated in PyTorch: products of bf16-rounded inputs, summed and output in fp32.
        case bf16Inputs = "bf16_inputs"
        /// `torch.autocast("cpu", dtype=torch.bfloat16)` as a user runs it (sdpa attention in bf16).
        case autocast
        /// The same autocast with attention's Q·Kᵀ, softmax and P·V in fp32.
        case autocastFP32Attention = "autocast_fp32_attention"
    }

    let file: SafetensorsFile
    /// The fixture batch the references were computed on.
    let batch: TokenBatch

    init(_ fixture: String) throws {
        let url = try #require(Bundle.module.url(forResource: "bf16-reference", withExtension: "safetensors",
                                                 subdirectory: "Resources/\(fixture)"))
        file = try SafetensorsFile(contentsOf: url)
        batch = try TokenBatch.stored(in: file)
    }

    /// The quantities `variant` recorded, by the keys a `FixtureRun` uses.
    func values(_ variant: Variant) throws -> [String: [Float]] {
        let prefix = variant.rawValue + "."
        var values: [String: [Float]] = [:]
        for name in file.tensorNames where name.hasPrefix(prefix) {
            values[String(name.dropFirst(prefix.count))] = try file.floats(name)
        }
        return values
    }
}

/// How close two runs of the same work must be, quantity by quantity (relative differences are
/// |Δ|/|x| for scalars and ‖Δ‖/‖x‖ for tensors).
struct BF16Tolerance {
    /// |Δ| of the forward loss.
    var loss: Float
    /// Relative difference of the logits.
    var logits: Double
    /// Relative difference of all the gradients together (reported as `grad (all)`).
    var gradients: Double
    /// Relative difference of each parameter's gradient.
    var gradient: Double
    /// Relative difference of the losses of the first two optimizer steps.
    var earlyLosses: Float
    /// Relative difference of the grad norms of the first two optimizer steps.
    var earlyNorms: Float
    /// Relative difference of the losses of steps 3-5.
    var laterLosses: Float
    /// Relative difference of the grad norms of steps 3-5.
    var laterNorms: Float
    /// Relative difference of the probed parameters after five steps.
    var final: Double

    /// Against `bf16_inputs`, Quench's own scheme. Quench's fp32 kernels and sums differ from
    /// PyTorch's by about 1e-6, and where such a difference flips a bf16 rounding of a product's input
    /// the result moves by a bf16 step (one flip in tiny-gpt2's forward moves a logit by 3.9e-3), and
    /// AdamW carries it on. `make-bf16-reference.py --perturb 1…6` measures that noise, every product
    /// input perturbed by 1e-6 relative before rounding (worst of the six seeds and both fixtures):
    /// loss 2.8e-4, logits 1.3e-3, all gradients 3.5e-3, one gradient 5.2e-3, steps 1-2 losses 1.2e-3
    /// and grad norms 1.8e-3, steps 3-5 1.3e-2 and 4.3e-2, final parameters 3.5e-2. The bounds are
    /// 1.2-2x that (Quench measured: logits 3e-7 and 2.9e-4, all gradients 6e-4 and 1.1e-3). fp32 is
    /// 4.9e-3 and 7.8e-3 away on the logits and 6.5e-3 and 1.1e-2 on all gradients, so a model
    /// silently computing in fp32 fails those two (and tiny-gpt2's loss, 2.3e-3 away); the other
    /// quantities are bf16-noise-sized in this small model, and fp32 passes some of them.
    static let quenchScheme = BF16Tolerance(loss: 5e-4, logits: 2e-3, gradients: 5e-3, gradient: 1e-2,
                                            earlyLosses: 2e-3, earlyNorms: 3e-3, laterLosses: 3e-2,
                                            laterNorms: 0.1, final: 5e-2)

    /// Against PyTorch autocast (either attention). Autocast also rounds every linear's output to bf16
    /// (activations, logits, weight gradients), which moves it from `bf16_inputs` as far as bf16 moves
    /// either from fp32: measured worst loss 2.0e-3, logits 7.6e-3, all gradients 1.1e-2, one gradient
    /// 1.7e-2, steps 1-2 losses 9.2e-4 and grad norms 1.0e-2, steps 3-5 2.7e-2 and 1.3e-1, final
    /// 6.4e-2. These bounds are about twice that: they catch a broken bf16 path, not fp32 (which is
    /// about as close to autocast).
    static let autocast = BF16Tolerance(loss: 5e-3, logits: 2e-2, gradients: 2.5e-2, gradient: 4e-2,
                                        earlyLosses: 2e-3, earlyNorms: 2.5e-2, laterLosses: 6e-2,
                                        laterNorms: 0.3, final: 0.15)

    /// The quantities of `run` farther from `reference` than allowed, one line each (empty: all close).
    /// Keys: `loss`, `logits`, `grad.<name>`, `<full|lora>.losses`, `.grad_norms`, `.final.<name>`.
    func mismatches(_ run: [String: [Float]], _ reference: [String: [Float]]) -> [String] {
        var found: [String] = []
        var allActual: [Float] = [], allExpected: [Float] = []
        for key in run.keys.sorted() {
            guard let expected = reference[key] else {
                found.append("\(key): not in the reference")
                continue
            }
            let actual = run[key] ?? []
            guard actual.count == expected.count else {
                found.append("\(key): \(actual.count) values, the reference has \(expected.count)")
                continue
            }
            if key == "loss" {
                let difference = abs(actual[0] - expected[0])
                if difference > loss { found.append("loss: |Δ| \(difference)") }
            } else if key == "logits" || key.hasPrefix("grad.") || key.contains(".final.") {
                let difference = Self.relative(actual, expected)
                let bound = key == "logits" ? logits : key.hasPrefix("grad.") ? gradient : final
                if difference > bound { found.append("\(key): ‖Δ‖/‖x‖ \(difference)") }
                if key.hasPrefix("grad.") { (allActual, allExpected) = (allActual + actual, allExpected + expected) }
            } else {
                let (early, later) = key.hasSuffix("losses") ? (earlyLosses, laterLosses) : (earlyNorms, laterNorms)
                for (step, (a, e)) in zip(actual, expected).enumerated()
                where abs(a - e) > (step < 2 ? early : later) * abs(e) {
                    found.append("\(key)[\(step)]: \(a) vs \(e)")
                }
            }
        }
        let difference = Self.relative(allActual, allExpected)
        if difference > gradients { found.append("grad (all): ‖Δ‖/‖x‖ \(difference)") }
        return found
    }

    /// ‖actual − expected‖ / ‖expected‖.
    static func relative(_ actual: [Float], _ expected: [Float]) -> Double {
        let norm = expected.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        let error = zip(actual, expected).reduce(0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
        return error / max(norm, 1e-12)
    }
}

/// Quench on a fixture batch in a given precision, recording what the reference files record.
enum FixtureRun {
    /// The AdamW settings of every fixture run (lr 1e-2, clip 1.0).
    static let adamW = AdamW.Settings(beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)

    static func load(_ fixture: String, _ precision: Precision) throws -> CausalLM {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url(fixture))
        try model.setPrecision(precision)
        #expect(model.precision == precision)
        return model
    }

    /// `loss`, `logits` and `grad.<Hugging Face name>` of one forward and backward pass.
    static func forwardBackward(_ fixture: String, _ precision: Precision, batch: TokenBatch) throws -> [String: [Float]] {
        let model = try load(fixture, precision)
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: true)
        let result = try #require(try model.forward(batch, workspace: workspace))
        let logits = try Tensor(zeros: [batch.batch * batch.time, model.config.vocabularySize])
        try model.logits(workspace: workspace, into: logits)
        let gradients = try ParameterGradients(model: model)
        try model.backward(batch, workspace: workspace, gradients: gradients)
        var values = ["loss": [Float(result.meanLoss)], "logits": logits.toArray()]
        for spec in model.specs {
            let gradient = try #require(gradients[spec.name])
            values["grad." + spec.huggingFaceName] = HuggingFaceLayout.toHuggingFace(gradient, spec: spec)
        }
        return values
    }

    /// `full.losses`, `full.grad_norms` (before clipping) and `full.final.<probe>` of five AdamW steps
    /// on every parameter, the bf16 copy of the weights refreshed after each step as the trainer does.
    static func fullFineTuning(_ fixture: String, _ precision: Precision, batch: TokenBatch,
                               probe: String) throws -> [String: [Float]] {
        let model = try load(fixture, precision)
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: true)
        let gradients = try ParameterGradients(model: model)
        let optimizer = try AdamW(parameters: model.parameters, settings: adamW)
        var losses: [Float] = [], norms: [Float] = []
        for _ in 0..<5 {
            gradients.zero()
            losses.append(Float(try #require(try model.forward(batch, workspace: workspace)).meanLoss))
            try model.backward(batch, workspace: workspace, gradients: gradients)
            norms.append(Float(GradientClipping.clip(gradients.block, maximum: 1.0)))
            optimizer.update(parameters: model.parameters, gradients: gradients.block, learningRate: 1e-2)
            try model.weightsChanged()
        }
        let spec = try #require(model.specs.first { $0.huggingFaceName == probe })
        return ["full.losses": losses, "full.grad_norms": norms,
                "full.final." + probe: HuggingFaceLayout.toHuggingFace(try model.parameter(spec.name), spec: spec)]
    }

    /// `lora.losses`, `lora.grad_norms` and `lora.final.<module>.{A,B}` of five AdamW steps on LoRA
    /// adapters (rank 4, α 8, every projection, A from the fp32 fixture's `lora.init.*`, B zero).
    static func lora(_ fixture: String, _ precision: Precision, batch: TokenBatch,
                     probe: String) throws -> [String: [Float]] {
        let model = try load(fixture, precision)
        let initial = try SafetensorsFile(contentsOf: SharedFixtures.url("\(fixture)/reference.safetensors"))
        let adapters = try LoRAAdapters(model: model, rank: 4, alpha: 8, modules: LoRAAdapters.knownModules(.llama), seed: 0)
        var probed: LoRAAdapters.Target?
        for target in adapters.targets {
            let spec = try #require(model.specs.first { $0.name == target.parameter })
            let module = spec.huggingFaceName.replacingOccurrences(of: ".weight", with: "")
            try adapters.matrices(target).a.copy(from: Tensor(shape: [4, target.inFeatures],
                                                              values: initial.floats("lora.init.\(module).A")))
            if module == probe { probed = target }
        }
        model.adapters = adapters
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: true,
                                      adapters: adapters)
        let frozen = try ParameterGradients(model: model, trainable: [])
        let optimizer = try AdamW(parameters: adapters.weights, settings: adamW)
        var losses: [Float] = [], norms: [Float] = []
        for _ in 0..<5 {
            adapters.gradients.flat.zero()
            losses.append(Float(try #require(try model.forward(batch, workspace: workspace)).meanLoss))
            try model.backward(batch, workspace: workspace, gradients: frozen)
            norms.append(Float(GradientClipping.clip(adapters.gradients, maximum: 1.0)))
            optimizer.update(parameters: adapters.weights, gradients: adapters.gradients, learningRate: 1e-2)
        }
        let (a, b) = try adapters.matrices(try #require(probed, "no adapter on \(probe)"))
        return ["lora.losses": losses, "lora.grad_norms": norms,
                "lora.final.\(probe).A": a.toArray(), "lora.final.\(probe).B": b.toArray()]
    }
}
