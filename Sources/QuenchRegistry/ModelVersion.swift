import Foundation

/// Where a model version stands in the approval process.
public enum VersionStatus: String, Codable, Sendable, CaseIterable {
    case pendingApproval = "pending_approval"
    case approved
    case rejected
    case archived
}

/// The aliases a deployment reads; a closed set so a typo cannot create a new one.
public enum ModelAlias: String, Codable, Sendable, CaseIterable {
    case staging
    case production
}

/// One file of a version's artifacts, as copied into the content-addressed store.
public struct ArtifactFile: Codable, Sendable, Equatable {
    /// Path relative to the version's artifact directory.
    public var path: String
    public var sha256: String
    public var size: Int64

    public init(path: String, sha256: String, size: Int64) {
        self.path = path
        self.sha256 = sha256
        self.size = size
    }
}

/// A file path with the sha256 it had when recorded.
public struct HashedFile: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String

    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// The base model a version was trained from.
public struct BaseModelLineage: Codable, Sendable, Equatable {
    /// Hub repository id or local path the base model came from.
    public var source: String
    /// Hub commit (revision) of the base model, when it came from a hub.
    public var commit: String?
    public var files: [HashedFile]

    public init(source: String, commit: String?, files: [HashedFile]) {
        self.source = source
        self.commit = commit
        self.files = files
    }
}

/// One training dataset: enough to prove which data was used, and to find versions by it later.
public struct DatasetLineage: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var records: Int
    /// Data-governance fingerprint, used to flag versions when a dataset is erased.
    public var fingerprint: String?

    public init(path: String, sha256: String, records: Int, fingerprint: String? = nil) {
        self.path = path
        self.sha256 = sha256
        self.records = records
        self.fingerprint = fingerprint
    }
}

/// How a version was produced: what an auditor needs to reproduce or question it.
public struct Lineage: Codable, Sendable, Equatable {
    public var baseModel: BaseModelLineage
    public var datasets: [DatasetLineage]
    public var jobSpecSHA256: String?
    public var hyperparameters: JSONValue
    public var quenchVersion: String
    /// Architecture name (e.g. "llama"), shown in the ML-BOM's model card.
    public var architecture: String?
    /// Who ran the training, when known: separation of duties keeps them from approving the version.
    public var trainedBy: String?
    /// The losses of every training step, when the run recorded them; absent (not even a key) otherwise,
    /// so records written before curves existed encode, and hash, exactly as they did.
    public var trainingCurve: [LossPoint]?

    enum CodingKeys: String, CodingKey {
        case baseModel = "base_model", datasets, jobSpecSHA256 = "job_spec_sha256", hyperparameters
        case quenchVersion = "quench_version", architecture, trainedBy = "trained_by", trainingCurve = "training_curve"
    }

    public init(
        baseModel: BaseModelLineage, datasets: [DatasetLineage], jobSpecSHA256: String?,
        hyperparameters: JSONValue, quenchVersion: String, architecture: String? = nil, trainedBy: String? = nil,
        trainingCurve: [LossPoint]? = nil
    ) {
        self.trainedBy = trainedBy
        self.trainingCurve = trainingCurve
        self.baseModel = baseModel
        self.datasets = datasets
        self.jobSpecSHA256 = jobSpecSHA256
        self.hyperparameters = hyperparameters
        self.quenchVersion = quenchVersion
        self.architecture = architecture
    }
}

/// A registered model version with everything recorded about it.
public struct ModelVersion: Codable, Sendable, Equatable {
    public var name: String
    public var version: Int
    public var status: VersionStatus
    public var createdBy: String
    /// ISO 8601 UTC, as every registry time is written.
    public var createdAt: String
    public var decidedBy: String?
    public var decidedAt: String?
    public var decisionNote: String?
    /// Directory holding the artifacts and `model.sig`.
    public var artifactDirectory: String
    public var files: [ArtifactFile]
    /// sha256 of `model.sig` when the version was registered.
    public var signatureSHA256: String
    public var lineage: Lineage
    public var metrics: [String: Double]
    /// The gate report exactly as it was read at registration.
    public var gateReport: String
    public var reviewReason: String?
    /// Aliases this version currently holds.
    public var aliases: [ModelAlias]

    /// `name@version`, as users type it.
    public var subject: String { "\(name)@\(version)" }

    enum CodingKeys: String, CodingKey {
        case name, version, status, createdBy = "created_by", createdAt = "created_at", decidedBy = "decided_by"
        case decidedAt = "decided_at", decisionNote = "decision_note", artifactDirectory = "artifact_directory"
        case files, signatureSHA256 = "signature_sha256", lineage, metrics, gateReport = "gate_report"
        case reviewReason = "review_reason", aliases
    }
}

/// One move of an alias, kept forever so anyone can see what served when.
public struct AliasMove: Codable, Sendable, Equatable {
    public var name: String
    public var alias: ModelAlias
    public var version: Int
    public var previousVersion: Int?
    /// `promote` or `rollback`.
    public var action: String
    public var actor: String
    /// ISO 8601 UTC.
    public var at: String

    enum CodingKeys: String, CodingKey {
        case name, alias, version, previousVersion = "previous_version", action, actor, at
    }
}

/// Parses `name@version` references as users type them on the command line.
public struct VersionReference: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var version: Int

    public init(name: String, version: Int) {
        self.name = name
        self.version = version
    }

    /// Reads `name@version`, throwing a message that shows the expected form.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let number = Int(parts[1]), number > 0 else {
            throw RegistryError.versionNotFound("'\(text)' (expected NAME@VERSION, e.g. support-bot@3)")
        }
        self.init(name: String(parts[0]), version: number)
    }

    public var description: String { "\(name)@\(version)" }
}

/// What a promotion expects the alias to point at, so that of two concurrent promotions one wins and the
/// other is told the alias moved instead of silently overriding it.
public enum AliasExpectation: Sendable, Equatable {
    /// Promote whatever the alias holds now.
    case any
    /// Promote only while the alias holds this version (nil: while it is unset).
    case holder(Int?)
}
