import Foundation

/// The parsers Quench fuzzes, each reached through the entry point a user's file goes through.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// `SafetensorsFile` and reading every tensor as floats or integers.
    case safetensors
    /// `ModelBundle.open` of a .gguf file: header, metadata, tensors, config, weights, tokenizer, template.
    case gguf
    /// `BPETokenizer(tokenizerJSON:)`, then encoding and decoding a chat-shaped text.
    case tokenizerJSON = "tokenizer-json"
    /// `JobSpec.load` (the job spec of `quench run`).
    case jobSpec = "job-spec"
    /// `TrainingConfig.load` (the configuration of `quench train`).
    case trainingConfig = "training-config"
    /// `GateConfig.load` (the quality gate).
    case gateConfig = "gate-config"
    /// `GovernancePolicy.load` (the governance policy).
    case policy
    /// `ComputeConfig.load` (the compute backends).
    case computeConfig = "compute-config"
    /// `TrainingData.prepare`: the trainer's JSONL reader, with SmolLM2's tokenizer and chat template.
    case jsonl
    /// `DataScanner.scan` and `Redactor.redact` of a JSONL file: the PII scanner and the JSON walker.
    case piiScan = "pii-scan"

    /// The environment variable naming the target to run.
    static let environmentKey = "QUENCH_FUZZ_TARGET"
    /// Set to 1 to print the targets' names and exit.
    static let listKey = "QUENCH_FUZZ_LIST_TARGETS"

    /// Why no target could be selected.
    struct SelectionProblem: Error {
        let message: String
    }

    /// The target named by `QUENCH_FUZZ_TARGET`, resolved once.
    static let selected: Result<FuzzTarget, SelectionProblem> = {
        let known = allCases.map(\.rawValue).joined(separator: ", ")
        guard let name = ProcessInfo.processInfo.environment[environmentKey] else {
            return .failure(SelectionProblem(message: "set \(environmentKey) to one of: \(known)"))
        }
        guard let target = FuzzTarget(rawValue: name) else {
            return .failure(SelectionProblem(message: "unknown target '\(name)' in \(environmentKey); known: \(known)"))
        }
        return .success(target)
    }()

    /// The file name the input is written under: loaders choose their format by name.
    var fileName: String {
        switch self {
        case .safetensors: return "model.safetensors"
        case .gguf: return "model.gguf"
        case .tokenizerJSON: return "tokenizer.json"
        case .jobSpec: return "job.yaml"
        case .trainingConfig: return "training.yaml"
        case .gateConfig: return "gate.yaml"
        case .policy: return "governance.yaml"
        case .computeConfig: return "compute.yaml"
        case .jsonl, .piiScan: return "data.jsonl"
        }
    }

    /// Loads what the target needs besides its input, once, before the first input.
    func prepare() throws {
        _ = try ScratchDirectory.shared.get()
        if self == .jsonl { _ = try DataFuzzing.exampleTokenizer.get() }
    }

    /// Writes `input` where the loader reads it and runs the loader (and what a user's command runs next).
    func run(_ input: UnsafeRawBufferPointer) throws {
        let url = try ScratchDirectory.shared.get().write(input, named: fileName)
        switch self {
        case .safetensors: try ModelFuzzing.readSafetensors(url)
        case .gguf: try ModelFuzzing.openGGUF(url)
        case .tokenizerJSON: try ModelFuzzing.loadTokenizerJSON(url)
        case .jobSpec, .trainingConfig, .gateConfig, .policy, .computeConfig: try ConfigFuzzing.load(self, url)
        case .jsonl: try DataFuzzing.prepareTrainingData(url)
        case .piiScan: try DataFuzzing.scanAndRedact(url)
        }
    }
}
