/// What a run did, as the job runner records it, for the compliance report. Every part is optional:
/// nil means the stage did not run, and its control is reported as "not run" (which is not a pass).
public struct ComplianceFacts: Codable, Sendable, Equatable {
    /// Where the base model came from and whether its files matched the pinned hashes.
    public struct Source: Codable, Sendable, Equatable {
        /// The hub repository, e.g. `HuggingFaceTB/SmolLM2-135M-Instruct`.
        public var repository: String
        /// The pinned commit.
        public var commit: String?
        /// SHA-256 of each downloaded file, by name.
        public var files: [String: String]
        /// True when every file matched its expected hash.
        public var verified: Bool

        /// Creates the source facts.
        public init(repository: String, commit: String?, files: [String: String], verified: Bool) {
            self.repository = repository
            self.commit = commit
            self.files = files
            self.verified = verified
        }
    }

    /// How the model was loaded: which formats, and whether anything executable was.
    public struct Loading: Codable, Sendable, Equatable {
        /// The formats read (safetensors, gguf, …).
        public var formats: [String]
        /// True if a pickle (`.bin`, `.pt`) was unpickled.
        public var pickleLoaded: Bool
        /// True if code shipped with the model was run.
        public var remoteCodeLoaded: Bool

        /// Creates the loading facts.
        public init(formats: [String], pickleLoaded: Bool, remoteCodeLoaded: Bool) {
            self.formats = formats
            self.pickleLoaded = pickleLoaded
            self.remoteCodeLoaded = remoteCodeLoaded
        }
    }

    /// The training configuration that ran.
    public struct Training: Codable, Sendable, Equatable {
        /// Hash of the configuration.
        public var configHash: String?
        /// Settings worth showing (method, steps, learning rate, …).
        public var settings: [String: String]

        /// Creates the training facts.
        public init(configHash: String?, settings: [String: String]) {
            self.configHash = configHash
            self.settings = settings
        }
    }

    /// The evaluation and its quality gates.
    public struct Gate: Codable, Sendable, Equatable {
        /// True when every gate passed.
        public var passed: Bool
        /// Metric values and thresholds as shown to a reviewer.
        public var metrics: [String: String]

        /// Creates the gate facts.
        public init(passed: Bool, metrics: [String: String]) {
            self.passed = passed
            self.metrics = metrics
        }
    }

    /// The artifact signature.
    public struct Signature: Codable, Sendable, Equatable {
        /// True when a signature was written.
        public var signed: Bool
        /// True when it verified against the artifact.
        public var verified: Bool
        /// Who or what signed (key id, certificate subject).
        public var signer: String?
        /// Digest of the signed manifest.
        public var digest: String?

        /// Creates the signature facts.
        public init(signed: Bool, verified: Bool, signer: String?, digest: String?) {
            self.signed = signed
            self.verified = verified
            self.signer = signer
            self.digest = digest
        }
    }

    /// The registry entry created for the artifact.
    public struct Registry: Codable, Sendable, Equatable {
        /// The registered model's name.
        public var model: String
        /// The registered version, nil when registration failed.
        public var version: String?
        /// Its state (candidate, staging, production, …).
        public var state: String

        /// Creates the registry facts.
        public init(model: String, version: String?, state: String) {
            self.model = model
            self.version = version
            self.state = state
        }
    }

    /// The run's id.
    public var runID: String
    public var source: Source?
    public var loading: Loading?
    /// The data scan of the training (and validation) files.
    public var dataScan: DataScanReport?
    /// The dataset checks, one per file.
    public var datasetChecks: [DatasetCheckReport]?
    /// Validation records also found in training (nil when there is no validation file).
    public var validationOverlap: Int?
    /// Canonical fingerprints by role (`train`, `validation`).
    public var fingerprints: [String: CanonicalFingerprint]?
    public var training: Training?
    public var gate: Gate?
    public var signature: Signature?
    public var registry: Registry?

    /// Facts for run `runID` with no stage recorded yet.
    public init(runID: String) { self.runID = runID }
}
