/// One of a job's datasets, stored as its raw value (`train`, `validation`): spec pins, check reports,
/// fingerprints and the files training reads are kept by this role, never by position.
public enum DatasetRole: String, Codable, CodingKeyRepresentable, Sendable, CaseIterable {
    /// The training dataset (`data.train`).
    case train
    /// The validation dataset (`data.validation`).
    case validation

    /// The dataset's role among all of a run's input files.
    public var inputRole: InputRole {
        switch self {
        case .train: return .train
        case .validation: return .validation
        }
    }
}

/// A value for each of a job's datasets: the training set's, and the validation set's when the job
/// has one. Stored as `{"train": ..., "validation": ...}`, the same as a dictionary keyed by role.
struct Datasets<Value> {
    var train: Value
    var validation: Value?

    /// The value of the dataset with `role`, nil when the job has no such dataset.
    subscript(role: DatasetRole) -> Value? {
        switch role {
        case .train: return train
        case .validation: return validation
        }
    }

    /// Every dataset the job has, train first, with its value.
    var all: [(role: DatasetRole, value: Value)] {
        [(DatasetRole.train, train)] + (validation.map { [(DatasetRole.validation, $0)] } ?? [])
    }

    /// The value `transform` makes of each dataset's.
    func map<T>(_ transform: (DatasetRole, Value) throws -> T) rethrows -> Datasets<T> {
        Datasets<T>(train: try transform(.train, train), validation: try validation.map { try transform(.validation, $0) })
    }
}

extension Datasets: Codable where Value: Codable {}
extension Datasets: Sendable where Value: Sendable {}
extension Datasets: Equatable where Value: Equatable {}
