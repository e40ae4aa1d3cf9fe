/// What a model signature covers: the model's name and every file with its SHA-256.
public struct SignedManifest: Codable, Equatable, Sendable {
    /// The subject name (informative: model_signing uses the directory name and does not check it).
    public var modelName: String
    /// Hex SHA-256 over the raw file digests in order: the subject digest, one value that names this exact content.
    public var rootDigest: String
    /// Every covered file, in model_signing's order.
    public var files: [SignedFile]
    /// Paths left out of the signature (relative to the directory), as recorded in it.
    public var ignoredPaths: [String]

    /// Creates a manifest from its parts.
    public init(modelName: String, rootDigest: String, files: [SignedFile], ignoredPaths: [String]) {
        self.modelName = modelName
        self.rootDigest = rootDigest
        self.files = files
        self.ignoredPaths = ignoredPaths
    }
}

/// One signed file.
public struct SignedFile: Codable, Equatable, Sendable {
    /// Slash-separated path relative to the model directory.
    public var path: String
    /// Lower-case hex SHA-256 of the file's content.
    public var sha256: String

    /// Creates an entry from its parts.
    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}
