import QuenchData
import QuenchModel

extension ExampleTokenizer {
    /// The tokenizer and chat template a model bundle carries.
    /// - Throws: `DatasetError.invalidSetting` when the model has no tokenizer.
    public init(bundle: ModelBundle, addBOS: Bool = false) throws {
        guard let tokenizer = bundle.tokenizer else {
            throw DatasetError.invalidSetting(key: "model", reason: "\(bundle.location.path) carries no tokenizer")
        }
        try self.init(tokenizer: tokenizer, chatTemplate: bundle.chatTemplate, addBOS: addBOS)
    }
}
