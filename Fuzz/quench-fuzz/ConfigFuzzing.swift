import Foundation
import QuenchDispatch
import QuenchEval
import QuenchGovernance
import QuenchJobs
import QuenchTrain

/// The YAML targets: each file read by the loader its command uses.
enum ConfigFuzzing {
    static func load(_ target: FuzzTarget, _ url: URL) throws {
        switch target {
        case .jobSpec: _ = try JobSpec.load(contentsOf: url)
        case .trainingConfig: _ = try TrainingConfig.load(contentsOf: url)
        case .gateConfig: _ = try GateConfig.load(contentsOf: url)
        case .policy: _ = try GovernancePolicy.load(contentsOf: url)
        case .computeConfig: _ = try ComputeConfig.load(contentsOf: url)
        case .safetensors, .gguf, .tokenizerJSON, .jsonl, .piiScan: break
        }
    }
}
