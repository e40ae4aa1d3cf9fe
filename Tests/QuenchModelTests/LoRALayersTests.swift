import Foundation
import QuenchTensor
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// LoRA on some layers only: which projections get adapters, and the backward pass that stops below
/// the lowest of them.
@Suite struct LoRALayersTests {
    /// Adapters on every projection of `layers`, with a non-zero B so every A gets a gradient too.
    static func adapters(_ model: CausalLM, layers: [Int]?) throws -> LoRAAdapters {
        let adapters = try LoRAAdapters(model: model, rank: 4, alpha: 8,
                                        modules: LoRAAdapters.knownModules(model.config.architecture),
                                        layers: layers, seed: 3)
        for target in adapters.targets {
            let b = try adapters.matrices(target).b
            for i in 0..<b.count { b.storage[i] = Float(i % 7) * 0.01 - 0.03 }
        }
        return adapters
    }

    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func adaptersSitOnlyOnTheGivenLayers(_ folder: String) throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url(folder))
        let modules = LoRAAdapters.knownModules(model.config.architecture)
        let top = model.config.layers - 1
        let adapters = try Self.adapters(model, layers: [top])
        #expect(adapters.layers == [top])
        #expect(adapters.targets.map(\.parameter) == modules.map { "layers.\(top).\($0)" })
        #expect(adapters.target("layers.0.\(modules[0])") == nil)
        #expect(try Self.adapters(model, layers: nil).layers == Array(0..<model.config.layers))
        #expect(try Self.adapters(model, layers: [1, 0, 1]).layers == [0, 1])
        for layers in [[], [model.config.layers], [-1]] {
            let error = try #require(throws: TensorError.self) { try Self.adapters(model, layers: layers) }
            #expect("\(error)".contains(layers.isEmpty ? "empty" : "\(model.config.layers) layers"), "\(error)")
        }
    }

    @Test func theLowestLayerNeedingGradientsFollowsTheAdaptersAndTheTrainableSet() throws {
        let llama = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let depth = llama.config.layers
        #expect(llama.lowestLayerNeedingGradients(try ParameterGradients(model: llama)) == 0, "full fine-tuning")
        let frozen = try ParameterGradients(model: llama, trainable: [])
        #expect(llama.lowestLayerNeedingGradients(frozen) == depth, "nothing trains: no layer runs backward")
        #expect(llama.lowestLayerNeedingGradients(try ParameterGradients(model: llama, trainable: ["final_norm"])) == depth)
        #expect(llama.lowestLayerNeedingGradients(try ParameterGradients(model: llama, trainable: ["layers.1.o"])) == 1)
        #expect(llama.lowestLayerNeedingGradients(try ParameterGradients(model: llama, trainable: ["embed"])) == 0)
        llama.adapters = try Self.adapters(llama, layers: [1])
        #expect(llama.lowestLayerNeedingGradients(frozen) == 1)
        llama.adapters = try Self.adapters(llama, layers: nil)
        #expect(llama.lowestLayerNeedingGradients(frozen) == 0)
        let gpt2 = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-gpt2"))
        #expect(gpt2.lowestLayerNeedingGradients(try ParameterGradients(model: gpt2, trainable: ["positions"])) == 0)
    }

    /// One pass on the fixture's batch: the loss, the adapters' gradients and the residual stream's
    /// gradient left in the workspace (∂L/∂ the input of the lowest layer the pass ran).
    struct Pass {
        let loss: Double
        let adapterGradients: [Float]
        let streamGradient: [Float]
    }

    /// Forward, then backward into `gradients`; with `poisoningFirstLayer`, layer 0's weights are NaN
    /// between the two (restored after), so a backward pass through layer 0 leaves NaN in the stream.
    static func pass(_ model: CausalLM, _ batch: TokenBatch, _ workspace: Workspace, _ gradients: ParameterGradients,
                     poisoningFirstLayer: Bool = false) throws -> Pass {
        let adapters = try #require(model.adapters)
        adapters.gradients.flat.zero()
        try model.forward(batch, workspace: workspace)
        let clean = model.parameters.flat.toArray()
        if poisoningFirstLayer {
            for spec in model.specs where spec.name.hasPrefix("layers.0.") {
                let weight = try model.parameter(spec.name)
                for i in 0..<weight.count { weight.storage[i] = .nan }
            }
        }
        let result = try model.backward(batch, workspace: workspace, gradients: gradients)
        try model.parameters.flat.copy(from: Tensor(shape: [clean.count], values: clean))
        return Pass(loss: result.meanLoss, adapterGradients: adapters.gradients.flat.toArray(),
                    streamGradient: try workspace.gradient("residual", zeroed: false).toArray())
    }

    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func backwardStopsBelowTheLowestAdaptedLayerWithTheSameGradients(_ folder: String) throws {
        let directory = SharedFixtures.url(folder)
        let model = try ModelLoader.load(huggingFaceDirectory: directory)
        let reference = try SafetensorsFile(contentsOf: directory.appendingPathComponent("reference.safetensors"))
        let shape = try #require(reference.info("input_ids")).shape
        let batch = TokenBatch(batch: shape[0], time: shape[1], inputs: try reference.int32s("input_ids"),
                               targets: try reference.int32s("labels"))
        let top = model.config.layers - 1
        let adapters = try Self.adapters(model, layers: [top])
        model.adapters = adapters
        let workspace = try Workspace(config: model.config, batch: shape[0], time: shape[1], training: true,
                                      adapters: adapters)
        let frozen = try ParameterGradients(model: model, trainable: [])
        // One trainable parameter in layer 0 makes the pass run every layer, as it did before.
        let firstNorm = "layers.0.attn_norm"
        let deep = try ParameterGradients(model: model, trainable: [firstNorm])
        #expect(model.lowestLayerNeedingGradients(frozen) == top && model.lowestLayerNeedingGradients(deep) == 0)

        let early = try Self.pass(model, batch, workspace, frozen)
        let full = try Self.pass(model, batch, workspace, deep)
        #expect(early.loss == full.loss)
        #expect(Self.same(early.adapterGradients, full.adapterGradients), "bit for bit")
        #expect(early.adapterGradients.contains { $0 != 0 })
        #expect(try #require(deep[firstNorm]).toArray().contains { $0 != 0 }, "the full pass reached layer 0")

        // Layer 0 is never run: NaN weights there change nothing, while the full pass carries them
        // into the residual stream's gradient.
        let earlyPoisoned = try Self.pass(model, batch, workspace, frozen, poisoningFirstLayer: true)
        #expect(Self.same(earlyPoisoned.adapterGradients, early.adapterGradients) && earlyPoisoned.loss == early.loss)
        #expect(Self.same(earlyPoisoned.streamGradient, early.streamGradient), "layer 0 left the stream's gradient alone")
        #expect(earlyPoisoned.streamGradient.allSatisfy(\.isFinite) && earlyPoisoned.streamGradient.contains { $0 != 0 })
        let fullPoisoned = try Self.pass(model, batch, workspace, deep, poisoningFirstLayer: true)
        #expect(Self.same(fullPoisoned.adapterGradients, early.adapterGradients))
        #expect(fullPoisoned.streamGradient.contains { $0.isNaN }, "the full pass ran layer 0")
    }

    /// Equal element for element (a Bool, so a failure does not print thousands of floats).
    static func same(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
