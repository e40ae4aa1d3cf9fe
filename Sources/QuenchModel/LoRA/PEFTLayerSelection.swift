import Foundation
import QuenchFiles

/// Which decoder layers a PEFT adapter covers: `layers_to_transform` and `layers_pattern` of
/// `adapter_config.json`, read as PEFT 0.21 reads them (`check_target_module_exists`).
///
/// - `layers_to_transform`: one layer index or a list of them; absent, null or an empty list means
///   every layer. A module is adapted when its layer index is listed.
/// - `layers_pattern`: the name of the module list holding the layers (`layers` for Llama, `h` for
///   GPT-2), a string or a list; absent, null, "" or [] lets PEFT take the first numbered module
///   segment, which for Quench's families is that same list. Only PEFT's name for the model's own
///   list is accepted: any other would make PEFT adapt different modules than Quench.
struct PEFTLayerSelection: Decodable {
    /// A JSON value that is either one `Element` or a list of them.
    enum OneOrMany<Element: Decodable>: Decodable {
        case one(Element)
        case many([Element])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let list = try? container.decode([Element].self) {
                self = .many(list)
            } else {
                self = .one(try container.decode(Element.self))
            }
        }

        var all: [Element] {
            switch self {
            case .one(let element): return [element]
            case .many(let elements): return elements
            }
        }
    }

    let layersToTransform: OneOrMany<Int>?
    let layersPattern: OneOrMany<String>?

    enum CodingKeys: String, CodingKey {
        case layersToTransform = "layers_to_transform", layersPattern = "layers_pattern"
    }

    /// The layer indices of `model` an adapter config in `data` (the file `file`) selects, ascending;
    /// nil when it selects every layer.
    /// - Throws: `ModelError` naming the key when a value has the wrong type, an index is not a layer
    ///   of the model, or `layers_pattern` is not the model's layer list.
    static func layers(in data: Data, file: String, model: CausalLM) throws -> [Int]? {
        let selection: PEFTLayerSelection
        do {
            selection = try JSONDecoder().decode(PEFTLayerSelection.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.first?.stringValue ?? "layers_to_transform"
            throw ModelError.wrongType(file: file, key: key, expected: key == CodingKeys.layersPattern.rawValue
                                       ? "a string or a list of strings" : "an integer or a list of integers")
        }
        let pattern = modulePattern(model)
        for name in selection.layersPattern?.all ?? [] where !name.isEmpty && name != pattern {
            throw ModelError.invalidValue(
                file: file, key: CodingKeys.layersPattern.rawValue,
                reason: "'\(name)' is not the module list of this \(model.config.architecture.rawValue) model's layers; "
                    + "Quench reads '\(pattern)' or null")
        }
        guard let indices = selection.layersToTransform?.all, !indices.isEmpty else {
            if let patterns = selection.layersPattern?.all, patterns.contains(where: { !$0.isEmpty }) {
                throw ModelError.invalidValue(file: file, key: CodingKeys.layersPattern.rawValue,
                                              reason: "is set without layers_to_transform, which PEFT refuses too")
            }
            return nil
        }
        let depth = model.config.layers
        for index in indices where !(0..<depth).contains(index) {
            throw ModelError.invalidValue(
                file: file, key: CodingKeys.layersToTransform.rawValue,
                reason: "layer \(index) does not exist; the model has \(depth) layers (0...\(depth - 1))")
        }
        return Array(Set(indices)).sorted()
    }

    /// PEFT's `layers_pattern` for `model`: the Hugging Face module list holding its layers
    /// (`model.layers.3.…`, `transformer.h.3.…`; see `ParameterTable`).
    static func modulePattern(_ model: CausalLM) -> String {
        switch model.config.architecture {
        case .llama: return "layers"
        case .gpt2: return "h"
        }
    }
}
