import QuenchGovernance
import QuenchTrain
import Testing
@testable import QuenchJobs

/// The compliance report's training facts say what a LoRA run's adapters compute: alpha, rsLoRA,
/// DoRA and the per-module patterns, not only the rank.
@Suite struct ComplianceLoRASettingsTests {
    @Test func doRAAndPatternsAreReported() {
        var lora = TrainingConfig.LoRASettings(rank: 8, alpha: 16)
        #expect(ComplianceFacts.loraSettings(lora) == ["lora_alpha": "16.0", "use_rslora": "false", "use_dora": "false"])
        lora.useDoRA = true
        lora.useRSLoRA = true
        lora.rankPattern = ["v_proj": 4, "model.layers.0.self_attn.q_proj": 2]
        lora.alphaPattern = ["q_proj": 0.5]
        #expect(ComplianceFacts.loraSettings(lora) == [
            "lora_alpha": "16.0", "use_rslora": "true", "use_dora": "true",
            "rank_pattern": "model.layers.0.self_attn.q_proj: 2, v_proj: 4", "alpha_pattern": "q_proj: 0.5",
        ])
    }
}
