import Foundation
import QuenchFiles
import QuenchGate
import QuenchSecurity

/// How the registry checks the files a gate report names.
public enum GateFileCheck: Sendable, Equatable {
    /// Re-hash every file at its path: the report was written on this machine.
    case onDisk
    /// The report was written on a client that uploaded the artifacts (its paths mean nothing here): the
    /// tuned files must be among the uploaded artifacts and the base model's among the lineage's files. The
    /// client re-hashed the rest where they are before uploading.
    case uploaded
}

/// The registry's side of the quality gate's verdict (`quench.gate/v1`): read and re-checked
/// rather than trusted.
extension GateReport {
    /// Reads the report and checks its verdict and the files it names as `files` says.
    ///
    /// Returns the report and its exact bytes, which the registry keeps with the version.
    public static func load(
        verifying url: URL, files check: GateFileCheck = .onDisk, lineage: Lineage? = nil
    ) throws -> (report: GateReport, bytes: Data) {
        let data: Data
        do {
            data = try RegularFile.contents(of: url.path, limit: 16 << 20)
        } catch {
            throw RegistryError.gateReportUnreadable(path: url.path, reason: error.reason)
        }
        let report: GateReport
        do {
            report = try GateReport.decode(data)
        } catch {
            throw RegistryError.gateReportInvalid(path: url.path, reason: JSONErrorText.describe(error, in: data))
        }
        guard report.schema == schemaName else {
            throw RegistryError.gateReportInvalid(path: url.path, reason: "schema is '\(report.schema)', expected '\(schemaName)'")
        }
        guard report.passed else {
            throw RegistryError.gateFailed(path: url.path, reason: report.reason)
        }
        guard !report.checks.isEmpty else {
            throw RegistryError.gateFailed(path: url.path, reason: "it has no checks, so it proves nothing")
        }
        if let failed = report.checks.first(where: { !$0.passed }) {
            throw RegistryError.gateFailed(path: url.path, reason: "check '\(failed.name)' failed although passed is true")
        }
        if check == .uploaded {
            let baseHashes = Set((lineage?.baseModel.files ?? []).map { $0.sha256.lowercased() })
            for file in report.files where file.role == .baseModel && !baseHashes.contains(file.sha256.lowercased()) {
                throw RegistryError.uploadedGateFileUnknown(path: file.path, role: file.role.rawValue, sha256: file.sha256)
            }
            return (report, data)
        }
        for file in report.files {
            guard file.path.hasPrefix("/") else {
                throw RegistryError.gateReportInvalid(path: url.path, reason: "file path '\(file.path)' is not absolute")
            }
            let found: String
            do {
                found = try FileDigest.sha256(of: URL(fileURLWithPath: file.path))
            } catch {
                throw RegistryError.gateFileUnreadable(path: file.path, role: file.role.rawValue, reason: FileErrorText.reason(error))
            }
            guard found == file.sha256.lowercased() else {
                throw RegistryError.gateFileChanged(path: file.path, expected: file.sha256, found: found)
            }
        }
        return (report, data)
    }

    /// Checks that the artifacts being registered are the model the gate evaluated.
    ///
    /// Every evaluated file must be among the artifacts, and every weights file among the
    /// artifacts must have been evaluated; tokenizer and config files may ride along.
    func requireEvaluated(_ artifacts: [ArtifactFile]) throws {
        let evaluated = files.filter(\.role.isTuned)
        guard !evaluated.isEmpty else {
            throw RegistryError.gateFailed(path: "gate report", reason: "it names no tuned_model or adapter file")
        }
        let artifactHashes = Set(artifacts.map(\.sha256))
        for file in evaluated where !artifactHashes.contains(file.sha256.lowercased()) {
            throw RegistryError.evaluatedArtifactMissing(role: file.role.rawValue, path: file.path, sha256: file.sha256)
        }
        let evaluatedHashes = Set(evaluated.map { $0.sha256.lowercased() })
        for artifact in artifacts where artifact.isWeights && !evaluatedHashes.contains(artifact.sha256) {
            throw RegistryError.artifactNotEvaluated(file: artifact.path, sha256: artifact.sha256)
        }
    }

    /// The gate's measured values as `metric/set` → value, the default metrics of a version.
    public var metrics: [String: Double] {
        var result: [String: Double] = [:]
        for check in checks {
            guard let value = check.value else { continue }
            result["\(check.metric)/\(check.set)"] = value
        }
        return result
    }
}

extension ArtifactFile {
    /// True for model weight formats, which must be files the gate evaluated.
    var isWeights: Bool {
        let lower = path.lowercased()
        return [".safetensors", ".gguf", ".bin", ".pt", ".pth", ".ckpt", ".onnx"].contains { lower.hasSuffix($0) }
    }
}
