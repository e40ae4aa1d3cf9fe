import Foundation
import QuenchDispatch
import QuenchFiles
import QuenchSecurity
import QuenchTrain
import Yams

extension JobSpec {
    /// A job spec is a few kilobytes; anything past this is not one.
    static let maximumFileSize = 1 << 20
    /// The only spec version this Quench reads.
    public static let apiVersion = "quench/v1"

    /// Known keys of every section with a fixed schema (free-form maps such as pins are read apart).
    static let schema: [String: [String]] = [
        "": ["apiVersion", "name", "model", "data", "training", "evaluation", "compute", "registry", "policy"],
        "model": ["path", "sha256", "hub", "revision", "files", "include"],
        "data": ["train", "validation", "format", "max_sequence_length", "sequences", "sha256"],
        "evaluation": ["gate"],
        "compute": ["backend", "config", "slurm", "send_model"],
        "compute.slurm": ComputeConfig.slurmKeys,
        "registry": ["name", "register"],
    ]

    /// Reads and validates the spec at `url`: every problem (unknown keys, wrong types, missing files,
    /// impossible values) is reported at once, each with file, line and key.
    public static func load(contentsOf url: URL) throws -> JobSpec {
        let file = url.standardizedFileURL.path
        let data: Data
        do {
            data = try RegularFile.contents(of: file, limit: maximumFileSize)
        } catch {
            throw JobSpecError.unreadable(file: file, reason: error.reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw JobSpecError.unreadable(file: file, reason: RegularFile.Failure.notText(path: file).reason)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw JobSpecError.malformedYAML(file: file, reason: "\(error)")
        }
        var reader = JobSpecReader(file: file, directory: url.deletingLastPathComponent().standardizedFileURL)
        let spec = reader.read(root, sha256: FileDigest.sha256(of: data))
        guard reader.problems.isEmpty, let spec else {
            let ordered = reader.problems.enumerated().sorted {
                ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
            }
            throw JobSpecError.invalid(file: file, problems: ordered.map(\.element))
        }
        return spec
    }
}
