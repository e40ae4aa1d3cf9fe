import Foundation
import QuenchFiles
import QuenchSecurity

/// The quality gate's verdict (`quench.gate/v1`), read and re-checked rather than trusted.
public struct GateReport: Decodable, Sendable {
    /// One metric compared against its threshold.
    public struct Check: Decodable, Sendable {
        public var name: String
        public var set: String?
        public var metric: String
        public var threshold: Double?
        public var value: Double?
        public var passed: Bool
    }

    /// A file the gate read, with the role it played.
    public struct File: Decodable, Sendable {
        public var role: String
        public var path: String
        public var sha256: String
    }

    public var schema: String
    public var passed: Bool
    public var reason: String?
    public var checks: [Check]
    public var files: [File]

    /// The schema this registry understands.
    public static let schemaName = "quench.gate/v1"
    /// Roles whose files are the evaluated model itself.
    static let evaluatedRoles: Set<String> = ["tuned_model", "adapter"]

    /// Reads the report and checks its verdict and the current hash of every file it names.
    ///
    /// Returns the report and its exact bytes, which the registry keeps with the version.
    public static func load(verifying url: URL) throws -> (report: GateReport, bytes: Data) {
        let data: Data
        do {
            data = try RegularFile.contents(of: url.path, limit: 16 << 20)
        } catch {
            throw RegistryError.gateReportUnreadable(path: url.path, reason: error.reason)
        }
        let report: GateReport
        do {
            report = try JSONDecoder().decode(GateReport.self, from: data)
        } catch {
            throw RegistryError.gateReportInvalid(path: url.path, reason: String(describing: error))
        }
        guard report.schema == schemaName else {
            throw RegistryError.gateReportInvalid(path: url.path, reason: "schema is '\(report.schema)', expected '\(schemaName)'")
        }
        guard report.passed else {
            throw RegistryError.gateFailed(path: url.path, reason: report.reason ?? "passed is false")
        }
        guard !report.checks.isEmpty else {
            throw RegistryError.gateFailed(path: url.path, reason: "it has no checks, so it proves nothing")
        }
        if let failed = report.checks.first(where: { !$0.passed }) {
            throw RegistryError.gateFailed(path: url.path, reason: "check '\(failed.name)' failed although passed is true")
        }
        for file in report.files {
            guard file.path.hasPrefix("/") else {
                throw RegistryError.gateReportInvalid(path: url.path, reason: "file path '\(file.path)' is not absolute")
            }
            let found = try FileDigest.sha256(of: URL(fileURLWithPath: file.path))
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
        let evaluated = files.filter { Self.evaluatedRoles.contains($0.role) }
        guard !evaluated.isEmpty else {
            throw RegistryError.gateFailed(path: "gate report", reason: "it names no tuned_model or adapter file")
        }
        let artifactHashes = Set(artifacts.map(\.sha256))
        for file in evaluated where !artifactHashes.contains(file.sha256.lowercased()) {
            throw RegistryError.evaluatedArtifactMissing(role: file.role, path: file.path, sha256: file.sha256)
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
            result[check.set.map { "\(check.metric)/\($0)" } ?? check.metric] = value
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
