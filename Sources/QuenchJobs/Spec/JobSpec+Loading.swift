import Foundation
import QuenchDispatch
import QuenchSecurity
import QuenchTrain
import QuenchConfig

extension JobSpec {
    /// The only spec version this Quench reads.
    public static let apiVersion = "quench/v1"

    /// The section naming the base model: its key is the model's input role.
    static let modelSection = InputRole.model.rawValue

    /// Known keys of every section with a fixed schema (free-form maps such as pins are read apart).
    /// The `data` section's dataset keys are the dataset roles.
    static let schema: [String: [String]] = [
        "": ["apiVersion", "name", modelSection, "data", "training", "evaluation", "compute", "registry", "policy"],
        modelSection: ["path", "sha256", "hub", "revision", "files", "include"],
        "data": DatasetRole.allCases.map(\.rawValue) + ["format", "max_sequence_length", "sequences", "sha256"],
        "evaluation": ["gate"],
        "compute": ["backend", "config", "slurm", "send_model"],
        "compute.slurm": ComputeConfig.slurmKeys,
        "registry": ["name", "register", "url"],
    ]

    /// Reads and validates the spec at `url`: every problem (unknown keys, wrong types, missing files,
    /// impossible values) is reported at once, each with file, line and key.
    public static func load(contentsOf url: URL) throws -> JobSpec {
        let file = url.standardizedFileURL.path
        let document: ConfigDocument
        do throws(ConfigFileError) {
            document = try ConfigDocument(contentsOf: file)
        } catch {
            throw specError(error)
        }
        var reader = JobSpecReader(file: file, directory: url.deletingLastPathComponent().standardizedFileURL)
        let spec = reader.read(document.root, sha256: FileDigest.sha256(of: document.contents))
        guard reader.problems.isEmpty, let spec else {
            throw JobSpecError.invalid(file: file, problems: ConfigProblem.ordered(reader.problems))
        }
        return spec
    }

    private static func specError(_ error: ConfigFileError) -> JobSpecError {
        switch error {
        case .unreadable(let file, let reason): return .unreadable(file: file, reason: reason)
        case .malformedYAML(let file, let line, let column, let reason):
            return .malformedYAML(file: file, reason: "line \(line), column \(column): \(reason)")
        case .invalid(let file, let problems): return .invalid(file: file, problems: problems)
        }
    }
}
