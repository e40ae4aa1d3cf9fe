import Foundation
import QuenchTensor
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// DoRA against PEFT 0.21.2: adapters PEFT saved with `use_dora` (`Resources/peft-dora` on tiny-llama,
/// `Resources/peft-dora-gpt2` on tiny-gpt2 with its Conv1D layers and biases, `peft-dora-rslora-patterns`
/// with rsLoRA and per-module ranks and alphas; made by
/// scripts/make-peft-variant-reference.py) evaluated, merged and differentiated to PEFT's numbers, and
/// the gradients checked by finite differences.
@Suite struct PEFTDoRATests {
    typealias Variant = PEFTVariantTests

    @Test(arguments: [("peft-dora", "tiny-llama"), ("peft-dora-gpt2", "tiny-gpt2"),
                      ("peft-dora-rslora-patterns", "tiny-llama")])
    func aDoRAAdapterSavedByPEFTComputesPEFTsLogitsLossAndMergedModel(_ variant: String, _ fixture: String) throws {
        let reference = try Variant.Reference(variant, fixture: fixture)
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url(fixture))
        let adapters = try PEFTAdapterFormat.read(from: reference.directory, model: model)
        #expect(adapters.useDoRA)
        try Variant.expectPEFTsNumbers(adapters, on: model, reference)
    }

    /// The tiny-llama DoRA adapter read with lora_dropout 0 (so a training pass is PEFT's eval-mode pass)
    /// on a training workspace.
    static func trainable() throws -> (CausalLM, LoRAAdapters, Variant.Reference, Workspace) {
        let reference = try Variant.Reference("peft-dora")
        let folder = try TemporaryDirectory("peft-dora-train")
        let directory = try Variant.copy(reference.directory, into: folder.url) { $0["lora_dropout"] = 0 }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let adapters = try PEFTAdapterFormat.read(from: directory, model: model)
        model.adapters = adapters
        let workspace = try Workspace(config: model.config, batch: reference.batch.batch, time: reference.batch.time,
                                      training: true, adapters: adapters)
        return (model, adapters, reference, workspace)
    }

    @Test func theGradientsOfAMagnitudeAAndBArePEFTs() throws {
        let (model, adapters, reference, workspace) = try Self.trainable()
        let pass = try LoRALayersTests.pass(model, reference.batch, workspace, ParameterGradients(model: model, trainable: []))
        #expect(abs(pass.loss - (try reference.loss("loss"))) < 1e-6)
        for target in adapters.targets {
            let (dA, dB) = try adapters.gradientMatrices(target)
            for (tensor, matrix) in [(dA, "A"), (dB, "B"), (try adapters.magnitude(target).gradient, "magnitude")] {
                let name = try PEFTAdapterFormat.tensorName(target, matrix, model: model)
                let expected = try reference.file.floats("grad." + name)
                let largest = expected.map(abs).max() ?? 0
                let gap = Variant.largestDifference(tensor.toArray(), expected)
                #expect(largest > 0 && gap <= 1e-4 * largest, "\(name): largest difference \(gap) of \(largest)")
            }
        }
    }

    /// Central differences measure the loss's whole derivative, while PEFT (and Quench) treat the row
    /// norm n = ‖W + s B A‖ as a constant. The magnitudes, on which n does not depend, must match them as
    /// they are; A and B once the path through n is added: ∂L/∂n_o = −(m_o / n_o) · dm_o, and with
    /// V = W + s B A, ∂n_o/∂B_ok = s (V_o · A_k) / n_o and ∂n_o/∂A_ki = s B_ok V_oi / n_o.
    @Test func theGradientsMatchFiniteDifferences() throws {
        let (model, adapters, reference, workspace) = try Self.trainable()
        let batch = reference.batch
        _ = try LoRALayersTests.pass(model, batch, workspace, ParameterGradients(model: model, trainable: []))
        func loss() throws -> Double { try #require(try model.forward(batch, workspace: workspace)).meanLoss }
        for (parameter, tensor) in [("layers.0.q", "lora_magnitude"), ("layers.1.down", "lora_magnitude"),
                                    ("layers.0.v", "lora_A"), ("layers.1.q", "lora_B")] {
            let target = try #require(adapters.target(parameter))
            let name = parameter + "." + tensor
            let weight = try adapters.weights.tensor(name), gradient = try adapters.gradients.tensor(name)
            let normPath = try Self.normPath(target, tensor, adapters, weight: model.parameter(parameter))
            for index in [0, 7, weight.count - 1] {
                let numerical = try centralDifference(loss, at: index, in: weight.storage)
                let analytic = Double(gradient.storage[index]) + normPath[index]
                #expect(abs(analytic - numerical) < 1e-4 + 0.02 * abs(numerical),
                        "\(name)[\(index)]: analytic \(analytic) (detached \(gradient.storage[index])) vs numerical \(numerical)")
            }
        }
    }

    /// The gradient through the row norms that the detached DoRA gradient of `tensor` leaves out (zero
    /// for the magnitude), in double precision.
    static func normPath(_ target: LoRAAdapters.Target, _ tensor: String, _ adapters: LoRAAdapters,
                         weight: Tensor) throws -> [Double] {
        let (a, b) = try adapters.matrices(target)
        let (m, dm) = try adapters.magnitude(target)
        let (rows, width, rank) = (target.outFeatures, target.inFeatures, target.rank)
        let s = Double(adapters.scale(target))
        var v = (0..<(rows * width)).map { Double(weight.storage[$0]) }
        for o in 0..<rows {
            for k in 0..<rank {
                for i in 0..<width { v[o * width + i] += s * Double(b.storage[o * rank + k]) * Double(a.storage[k * width + i]) }
            }
        }
        let n = (0..<rows).map { o in (0..<width).map { v[o * width + $0] * v[o * width + $0] }.reduce(0, +).squareRoot() }
        let dn = (0..<rows).map { -Double(m.storage[$0]) / n[$0] * Double(dm.storage[$0]) }
        switch tensor {
        case "lora_B":
            return (0..<(rows * rank)).map { index in
                let (o, k) = index.quotientAndRemainder(dividingBy: rank)
                let dot = (0..<width).map { v[o * width + $0] * Double(a.storage[k * width + $0]) }.reduce(0, +)
                return dn[o] * s * dot / n[o]
            }
        case "lora_A":
            return (0..<(rank * width)).map { index in
                let (k, i) = index.quotientAndRemainder(dividingBy: width)
                return (0..<rows).map { dn[$0] * s * Double(b.storage[$0 * rank + k]) * v[$0 * width + i] / n[$0] }.reduce(0, +)
            }
        default:
            return Array(repeating: 0, count: rows)
        }
    }

    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func freshDoRAAdaptersStartAsTheBaseModelAndRoundTripThroughPEFTFiles(_ fixture: String) throws {
        let reference = try Variant.Reference(fixture == "tiny-llama" ? "peft-dora" : "peft-dora-gpt2", fixture: fixture)
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url(fixture))
        let batch = reference.batch
        let base = try Variant.run(model, batch)
        let adapters = try LoRAAdapters(model: model, rank: 4, alpha: 8, useDoRA: true,
                                        modules: LoRAAdapters.knownModules(model.config.architecture), seed: 2)
        let target = try #require(adapters.targets.first)
        let weight = try model.parameter(target.parameter)
        let rowNorm = (0..<target.inFeatures).map { Double(weight.storage[$0]) * Double(weight.storage[$0]) }
            .reduce(0, +).squareRoot()
        #expect(abs(Double(try adapters.magnitude(target).m.storage[0]) - rowNorm) < 1e-6 * rowNorm, "m = ‖W‖ per row")
        model.adapters = adapters
        let fresh = try Variant.run(model, batch)
        #expect(Variant.largestDifference(fresh.logits, base.logits) < 1e-5, "B = 0 and m = ‖W‖: the base model")

        let folder = try TemporaryDirectory("dora-write")
        try PEFTAdapterFormat.write(adapters, model: model, baseModel: fixture, to: folder.url)
        let config = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.url.appendingPathComponent(PEFTAdapterFormat.configFile))) as? [String: Any])
        #expect(config["use_dora"] as? Bool == true)
        let file = try SafetensorsFile(contentsOf: folder.url.appendingPathComponent(PEFTAdapterFormat.weightsFile))
        #expect(file.tensorNames.filter { $0.hasSuffix(".lora_magnitude_vector") }.count == adapters.targets.count)
        let reread = try PEFTAdapterFormat.read(from: folder.url, model: model)
        #expect(reread.useDoRA && reread.weights.flat.toArray() == adapters.weights.flat.toArray())
    }

    @Test func aMissingMagnitudeIsRefusedNamingIt() throws {
        let reference = try Variant.Reference()
        let folder = try TemporaryDirectory("dora-missing")
        let directory = try Variant.copy(reference.directory, into: folder.url) { $0["use_dora"] = true }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let error = try #require(throws: SafetensorsError.self) { try PEFTAdapterFormat.read(from: directory, model: model) }
        #expect("\(error)".contains("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector"), "\(error)")
    }

    @Test func trainingDoRAWithDropoutIsRefused() throws {
        let reference = try Variant.Reference("peft-dora")
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let adapters = try PEFTAdapterFormat.read(from: reference.directory, model: model)
        #expect(adapters.dropout == 0.05)
        model.adapters = adapters
        let workspace = try Workspace(config: model.config, batch: reference.batch.batch, time: reference.batch.time,
                                      training: true, adapters: adapters)
        #expect(throws: TensorError.invalidArgument(
            operation: "DoRA", detail: "training DoRA adapters with dropout 0.05 is not implemented; use dropout 0")) {
            try model.forward(reference.batch, workspace: workspace)
        }
        workspace.appliesDropout = false  // evaluation ignores dropout, as PEFT's eval mode does
        #expect(abs((try #require(try model.forward(reference.batch, workspace: workspace))).meanLoss
            - (try reference.loss("loss"))) < 1e-6)
    }
}
