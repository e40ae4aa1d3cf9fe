import Foundation
import QuenchModel
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// What training writes carries a model card, and an adapter names its base by hub id when the base
/// came from a hub cache.
@Suite struct ExportTrainedCardTests {
    @Test(arguments: [TrainingConfig.Method.lora, .full])
    func trainedOutputsHaveACardNamingTheHubBase(_ method: TrainingConfig.Method) throws {
        let folder = try TemporaryDirectory.create("trained-card")
        defer { try? FileManager.default.removeItem(at: folder) }
        // tiny-llama inside a hub cache snapshot, trained as BF16TrainingRunTests trains it.
        let snapshot = folder.appendingPathComponent("hub/models--org--tiny/snapshots/abc123")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        let (config, model) = try BF16TrainingRunTests().configuration(method, .fp32, in: snapshot)
        let summary = try Trainer(config: config, bundle: try ModelBundle.open(model), quenchVersion: "test").run()
        let output = URL(fileURLWithPath: summary.output)
        let card = try String(contentsOf: output.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(card.hasPrefix("---\nbase_model: \"org/tiny\"\nlibrary_name: \"\(method == .lora ? "peft" : "transformers")\"\n"))
        #expect(card.contains("- Training configuration hash: `\(config.canonicalHash())`"))
        if method == .lora {
            #expect(card.contains("- Method: LoRA: rank 4, alpha 8.0, dropout"))
            #expect(card.contains("PeftModel.from_pretrained(base, \"path/to/this/folder\")"))
            let adapterConfig = try #require(try JSONSerialization.jsonObject(
                with: Data(contentsOf: output.appendingPathComponent("adapter_config.json"))) as? [String: Any])
            #expect(adapterConfig["base_model_name_or_path"] as? String == "org/tiny")
        } else {
            #expect(card.contains("- Method: full fine-tuning"))
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("generation_config.json").path))
        }
        #expect(!card.contains(folder.path), "a card names files, never their paths")
    }

    @Test func aDoRAAdapterWithPatternsIsDescribedAsSuch() throws {
        let folder = try TemporaryDirectory.create("trained-dora-card")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (base, model) = try BF16TrainingRunTests().configuration(.lora, .fp32, in: folder)
        var config = base
        config.lora.useDoRA = true
        config.lora.rankPattern = ["v_proj": 2]
        config.lora.alphaPattern = ["q_proj": 4]
        config.maxSteps = 1
        let summary = try Trainer(config: config, bundle: try ModelBundle.open(model), quenchVersion: "test").run()
        let card = try String(contentsOf: URL(fileURLWithPath: summary.output).appendingPathComponent("README.md"), encoding: .utf8)
        #expect(card.contains("- Method: LoRA: rank 4, alpha 8.0, dropout 0.0, DoRA (use_dora), rank_pattern {v_proj: 2}, "
            + "alpha_pattern {q_proj: 4.0}\n"))
        #expect(card.contains("- Each adapted projection: W′ = m ⊙ (W + s·B·A) / ‖W + s·B·A‖"))
        // Trained on a local folder: adapter_config.json names its path, the card only its name.
        #expect(card.contains("from_pretrained(\"path/to/tiny-llama\")") && !card.contains(folder.path))
    }
}
