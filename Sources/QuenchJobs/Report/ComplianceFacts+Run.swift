import Foundation
import QuenchGovernance
import QuenchModel
import QuenchTrain

extension ComplianceFacts {
    /// The facts of a run as its stages recorded them; a stage that did not run leaves its fact out,
    /// and the compliance report marks that control as not run.
    init(context: RunContext, finished: FinishedStages) {
        self.init(runID: context.directory.url.lastPathComponent)
        if let fetch = finished.fetch {
            let files = Dictionary(fetch.files.map { ($0.path, $0.sha256) }, uniquingKeysWith: { first, _ in first })
            source = Source(repository: fetch.repo ?? fetch.location, commit: fetch.commit, files: files,
                            verified: finished.verify != nil)
            let extensions = Set(fetch.files.map { URL(fileURLWithPath: $0.path).pathExtension.lowercased() })
            loading = Loading(formats: extensions.sorted(),
                              pickleLoaded: !extensions.isDisjoint(with: ["bin", "pt", "pth", "pkl", "ckpt"]),
                              remoteCodeLoaded: extensions.contains("py"))
        }
        if let data = finished.data {
            dataScan = data.scan
            datasetChecks = data.orderedChecks
            validationOverlap = data.overlap
            fingerprints = Dictionary(uniqueKeysWithValues: data.checks.all.compactMap { role, check in
                check.fingerprint.map { (role.rawValue, $0) }
            })
        }
        if finished.train != nil {
            let config = context.spec.training
            var settings = [
                "method": config.method.rawValue, "learning_rate": "\(config.optimizer.learningRate)",
                "batch_size": "\(config.batchSize)", "max_steps": config.maxSteps.map(String.init) ?? "epochs",
                "lora_rank": config.method == .lora ? "\(config.lora.rank)" : "n/a",
                "precision": config.precision.rawValue,
            ]
            if config.method == .lora { settings.merge(Self.loraSettings(config.lora)) { first, _ in first } }
            training = Training(configHash: config.canonicalHash(), settings: settings)
        }
        if let gate = finished.gate {
            self.gate = Gate(passed: gate.passed, metrics: Dictionary(gate.checks.map {
                ("\($0.name) (\($0.set))", $0.value.map { String(format: "%.4g", $0) } ?? "n/a")
            }, uniquingKeysWith: { first, _ in first }))
        }
        if let sign = finished.sign {
            signature = Signature(signed: true, verified: true, signer: sign.keyFingerprint, digest: sign.rootDigest)
        }
        if let register = finished.register {
            registry = Registry(model: register.name, version: "\(register.version)", state: register.status)
        }
    }

    /// What a LoRA run's adapters compute beyond their rank, by PEFT's names: alpha, use_rslora,
    /// use_dora, and rank_pattern / alpha_pattern when set.
    static func loraSettings(_ lora: TrainingConfig.LoRASettings) -> [String: String] {
        var settings = ["lora_alpha": "\(lora.alpha)", "use_rslora": "\(lora.useRSLoRA)", "use_dora": "\(lora.useDoRA)"]
        for (pattern, entries) in lora.patterns.listed { settings[pattern] = entries }
        return settings
    }
}
