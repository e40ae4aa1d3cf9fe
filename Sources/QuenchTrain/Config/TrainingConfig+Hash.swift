import Foundation
import QuenchFiles
import QuenchSecurity

extension TrainingConfig {
    /// SHA-256 (lower-case hex) of the settings that change what training computes, so a run refuses
    /// to resume from a checkpoint written under different settings.
    ///
    /// Hashed: every field as canonical JSON with sorted keys (so YAML key order cannot matter), except
    /// - `output`: where results are written, not what they are;
    /// - `logEvery`, `checkpointEvery`, `evaluateEvery`: when the trainer reports or saves, provided
    ///   evaluation consumes no randomness that training uses;
    /// - `lora` when `method` is `full`: the adapter settings are not used then;
    /// - `precision` when it is fp32, so every hash made before the key existed stays the same (bf16
    ///   computes other numbers, so it is hashed);
    /// - `lora.use_rslora` and `lora.use_dora` when false, and `lora.rank_pattern` and `lora.alpha_pattern`
    ///   when empty, for the same reason.
    /// `model` and the data paths are included as written: set `model` from the command line before
    /// hashing, and record file digests separately if a moved or edited file must also be caught.
    public func canonicalHash() -> String {
        var hashed = self
        hashed.output = ""
        hashed.logEvery = 0
        hashed.checkpointEvery = 0
        hashed.evaluateEvery = 0
        if method == .full { hashed.lora = LoRASettings() }
        hashed.precision = precision // an fp32 decoded from an explicit "precision": "fp32" hashes as the default
        hashed.lora.useRSLoRA = hashed.lora.useRSLoRA // likewise an explicit "use_rslora": false
        hashed.lora.useDoRA = hashed.lora.useDoRA // and "use_dora": false
        hashed.lora.rankPattern = hashed.lora.rankPattern // and an empty "rank_pattern" or "alpha_pattern"
        hashed.lora.alphaPattern = hashed.lora.alphaPattern
        // Encoding plain strings, numbers and arrays cannot fail; an empty payload would still hash.
        let json = (try? JSONCoding.canonicalEncoder.encode(hashed)) ?? Data()
        return FileDigest.sha256(of: Data("quench-training-config-v1\n".utf8) + json)
    }
}
