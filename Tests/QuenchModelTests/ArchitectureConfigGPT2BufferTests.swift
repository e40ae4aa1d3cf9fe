import Foundation
import QuenchTensor
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// GPT-2 checkpoints saved by older transformers hold each layer's `attn.bias` causal mask and
/// `attn.masked_bias` fill value; transformers 5.25 loads them without using them, and so does Quench.
/// Any other tensor the model has no place for is still refused by name.
@Suite struct ArchitectureConfigGPT2BufferTests {
    /// A copy of tiny-gpt2 whose model.safetensors also holds `extra`.
    func tinyGPT2(adding extra: [SafetensorsWriter.Entry]) throws -> URL {
        let folder = try SharedFixtures.copy(["config.json"], of: "tiny-gpt2")
        let stored = try SafetensorsCheckpoint(directory: SharedFixtures.url("tiny-gpt2"))
        let tensors = try stored.tensorNames.sorted().map { name in
            SafetensorsWriter.Entry(name: name, shape: try #require(stored.info(name)).shape, values: .f32(try stored.floats(name)))
        }
        try SafetensorsWriter.write(tensors + extra, to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    /// Layer `layer`'s buffers as older transformers saved them for a 64-position context.
    func buffers(layer: Int) -> [SafetensorsWriter.Entry] {
        let mask = (0..<64).flatMap { row in (0..<64).map { column in Float(column <= row ? 1 : 0) } }
        return [SafetensorsWriter.Entry(name: "transformer.h.\(layer).attn.bias", shape: [1, 1, 64, 64], values: .f32(mask)),
                SafetensorsWriter.Entry(name: "transformer.h.\(layer).attn.masked_bias", shape: [], values: .f32([-1e4]))]
    }

    @Test func olderTransformersAttentionBuffersAreLoadedAsTransformersLoadsThem() throws {
        let folder = try tinyGPT2(adding: buffers(layer: 0) + buffers(layer: 1))
        defer { try? FileManager.default.removeItem(at: folder) }
        let withBuffers = try ModelLoader.load(huggingFaceDirectory: folder)
        let plain = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-gpt2"))
        #expect(withBuffers.specs.map(\.name) == plain.specs.map(\.name))
        for spec in plain.specs {
            #expect(try withBuffers.parameter(spec.name).toArray() == plain.parameter(spec.name).toArray(), "\(spec.name)")
        }
    }

    @Test func otherTensorsAndOtherArchitecturesAreStillRefused() throws {
        let extra = SafetensorsWriter.Entry(name: "transformer.h.0.attn.scale_bias", shape: [1], values: .f32([2]))
        let folder = try tinyGPT2(adding: buffers(layer: 0) + [extra])
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(throws: ModelError.self) { try ModelLoader.load(huggingFaceDirectory: folder) }
        guard case .unreadTensor(_, "transformer.h.0.attn.scale_bias", _) = error else {
            Issue.record("expected the unread transformer.h.0.attn.scale_bias, got \(error)")
            return
        }
        // Only GPT2PreTrainedModel ignores these names; a Llama-family checkpoint holding one is refused.
        let llama = try ModelConfig(huggingFaceConfig: SharedFixtures.url("tiny-llama/config.json"))
        #expect(!ModelLoader.transformersIgnores("model.layers.0.attn.bias", llama))
        #expect(!ModelLoader.transformersIgnores("model.layers.0.attn.masked_bias", llama))
    }
}
