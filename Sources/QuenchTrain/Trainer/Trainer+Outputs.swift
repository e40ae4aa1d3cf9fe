import Foundation
import QuenchFiles
import QuenchModel

extension Trainer {
    /// The adapter in PEFT's layout (LoRA; its base named as `PEFTBase` says: by hub id when it is a
    /// transformers checkpoint from a hub), or the whole model as a Hugging Face directory (full), each
    /// with a README.md model card. Written whole through `AtomicDirectory`, so the folder is never
    /// half-written (an earlier one, from a run resumed after it finished, is replaced only once the new one is done).
    func writeOutputs(_ state: TrainableState) throws -> URL {
        let card = ModelCard.trained(bundle, adapter: state.adapters != nil, settings: cardSettings(state.adapters))
        let directory = output.appendingPathComponent(Self.artifactsFolder(for: config.method))
        guard let adapters = state.adapters else {
            // The trained fp32 weights, exactly.
            try HuggingFaceExporter.write(bundle, to: directory, dtype: .f32, card: card, replacing: true)
            return directory
        }
        do {
            try AtomicDirectory.write(to: directory, replacing: true) { staging in
                try PEFTAdapterFormat.write(adapters, model: bundle.model, baseModel: PEFTBase(bundle).configValue, to: staging)
                try card.write(into: staging)
            }
        } catch let error as AtomicFile.Failure {
            throw TrainingError.writeFailed(path: error.path, reason: error.reason)
        }
        return directory
    }

    /// The training settings for the model card, as Markdown list lines: with `adapters` (LoRA), their
    /// settings and the weight they give each projection.
    private func cardSettings(_ adapters: LoRAAdapters?) -> [String] {
        let method = adapters.map { adapters in
            ["- Method: LoRA: \(ModelCard.loraSettings(adapters))", "- Each adapted projection: \(ModelCard.adaptedWeight(adapters))"]
        } ?? ["- Method: full fine-tuning"]
        let length = config.maxSteps.map { "\($0) steps" } ?? "\(config.epochs ?? 1) epoch(s)"
        return method + [
            "- Length: \(length), batch size \(config.batchSize) × \(config.gradientAccumulation) accumulated",
            "- Learning rate: \(config.optimizer.learningRate) (\(config.schedule.kind.rawValue)), seed \(config.seed), precision \(config.precision)",
            "- Training configuration hash: `\(config.canonicalHash())`",
        ]
    }
}
