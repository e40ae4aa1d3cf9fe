import Foundation
import QuenchFiles
import QuenchGate
import QuenchSecurity

/// What the job runner (or `quench registry register`) hands the registry.
public struct RegistrationRequest: Sendable {
    public var name: String
    public var artifactDirectory: URL
    /// Files relative to `artifactDirectory`; nil registers every file in it.
    public var artifactFiles: [String]?
    public var gateReport: URL
    public var lineage: Lineage
    /// Metrics to record; nil records the gate's measured values.
    public var metrics: [String: Double]?
    /// How the files the gate report names are checked: re-hashed where they are, or (for an upload to a
    /// server, where the report's paths are the client's) against the uploaded artifacts and the lineage.
    public var gateFiles: GateFileCheck

    public init(
        name: String, artifactDirectory: URL, artifactFiles: [String]? = nil, gateReport: URL, lineage: Lineage,
        metrics: [String: Double]? = nil, gateFiles: GateFileCheck = .onDisk
    ) {
        self.gateFiles = gateFiles
        self.name = name
        self.artifactDirectory = artifactDirectory
        self.artifactFiles = artifactFiles
        self.gateReport = gateReport
        self.lineage = lineage
        self.metrics = metrics
    }
}

extension Registry {
    /// Registers a gated model as the next version of its name, pending approval.
    ///
    /// The gate report is re-read and every file it names re-hashed; the artifacts are copied into
    /// the content-addressed store and must be the files the gate evaluated; the version directory
    /// is signed before the record is committed, so no unsigned version is ever visible.
    public func register(_ request: RegistrationRequest, by identity: RegistryIdentity) throws -> ModelVersion {
        try Self.validate(name: request.name)
        try request.lineage.validateTrainingCurve()
        try authorize(identity, "register", roles: [.trainer, .admin])
        let actor = identity.name
        let (report, reportBytes) = try GateReport.load(verifying: request.gateReport, files: request.gateFiles, lineage: request.lineage)
        let (staged, files) = try artifacts.stage(source: request.artifactDirectory, files: request.artifactFiles)
        do {
            try report.requireEvaluated(files)
            try signer.sign(directory: staged, modelName: request.name)
            let signatureSHA256 = try FileDigest.sha256(of: staged.appendingPathComponent(OpenSSFSigner.signatureFileName))
            return try change { access in
                let number = try access.nextVersionNumber(name: request.name)
                let directory = try artifacts.place(staged, name: request.name, version: number)
                let version = ModelVersion(
                    name: request.name, version: number, status: .pendingApproval, createdBy: actor, createdAt: Timestamp.string(),
                    decidedBy: nil, decidedAt: nil, decisionNote: nil, artifactDirectory: directory.path, files: files,
                    signatureSHA256: signatureSHA256, lineage: request.lineage, metrics: request.metrics ?? report.metrics,
                    gateReport: String(decoding: reportBytes, as: UTF8.self), reviewReason: nil, aliases: [])
                try access.insert(version)
                let head = try access.append(AuditEvent(actor: actor, action: .register, subject: version.subject, body: .object([
                    "name": .string(version.name), "version": .int(number),
                    "files": .array(files.map { .object(["path": .string($0.path), "sha256": .string($0.sha256)]) }),
                    "signature_sha256": .string(signatureSHA256),
                    "gate_report_sha256": .string(FileDigest.sha256(of: reportBytes)),
                    "base_model": .string(request.lineage.baseModel.source),
                    "datasets": .array(request.lineage.datasets.map { .string($0.sha256) }),
                    "job_spec_sha256": request.lineage.jobSpecSHA256.map(JSONValue.string) ?? .null,
                    "trained_by": request.lineage.trainedBy.map(JSONValue.string) ?? .null,
                ])))
                return (version, head)
            }
        } catch {
            try? FileManager.default.removeItem(at: staged)
            throw error
        }
    }

    /// Model names become directory names, so they follow `ModelName`, the rule job specs check too.
    static func validate(name: String) throws {
        guard ModelName.isValid(name) else { throw RegistryError.invalidName(name) }
    }
}
