/// What a file is to a run: the base model, one of the job's datasets, or the model training wrote.
/// Stage records, reports and errors keep a file's role as this type (stored as its raw value), so a
/// role can never be misspelt or paired with a file by position, and a stored record naming any
/// other role is refused when read.
public enum InputRole: String, Codable, CodingKeyRepresentable, Sendable, CaseIterable {
    /// A file of the base model (`model.path` or `model.hub`).
    case model
    /// The training dataset (`data.train`).
    case train
    /// The validation dataset (`data.validation`).
    case validation
    /// A file training wrote (adapter or model), which evaluation reads.
    case tuned
}
