import QuenchConfig
import QuenchModel
import QuenchTensor

/// Errors in a training configuration; an invalid file lists every problem found, not just the first.
public enum TrainingConfigError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read, is not YAML, or breaks the schema (every problem with its place and key).
    case file(ConfigFileError)
    /// The configuration could not be written out as YAML (`TrainingConfig.yamlDocument()`).
    case unwritable(reason: String)
    /// A `lora.targets` entry that the model's architecture does not have.
    case unknownLoRATarget(name: String, architecture: ModelConfig.Architecture, known: [String])
    /// `lora.layers` asks for more layers than the model has (known only once the model is open).
    case loraLayersExceedModel(requested: Int, modelLayers: Int)
    /// A `lora.rank_pattern` or `lora.alpha_pattern` key that matches no adapted module of the model, or
    /// whose keys disagree on one (known only once the model is open).
    case loraPattern(pattern: String, key: String, reason: String)
    /// `setting` (the `precision` key of a file, or the `--precision` flag) asks for a precision this
    /// CPU cannot compute in; checked before any model or data file is read.
    case precisionUnavailable(setting: String, reason: TensorError)

    public var description: String {
        switch self {
        case .file(let error):
            return error.description(of: "training configuration")
        case .unwritable(let reason):
            return "cannot write the training configuration as YAML: \(reason)"
        case .unknownLoRATarget(let name, let architecture, let known):
            return "lora.targets: '\(name)' is not a layer of \(architecture.rawValue) models; "
                + "known: \(known.joined(separator: ", "))"
        case .loraLayersExceedModel(let requested, let modelLayers):
            return "lora.layers: \(requested) is more than the \(modelLayers) layers of the model (checked once it is loaded); "
                + "give at most \(modelLayers), or leave it out to adapt every layer"
        case .loraPattern(let pattern, let key, let reason):
            return "lora.\(pattern): key '\(key)' \(reason)"
        case .precisionUnavailable(let setting, let reason):
            return "\(setting): \(reason)"
        }
    }
}
