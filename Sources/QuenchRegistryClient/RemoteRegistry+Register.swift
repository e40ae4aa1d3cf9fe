import Foundation
import QuenchFiles
import QuenchGate
import QuenchRegistry
import QuenchSecurity

/// Registration through a server: the gate report is checked here, where its paths mean something, then
/// the artifacts are uploaded with their hashes and the server checks the report against what it received.
extension RemoteRegistry {
    /// The answer of POST /v1/uploads.
    struct UploadCreated: Decodable {
        var id: String
    }

    /// The answer of PUT /v1/uploads/{id}/files/{path}.
    struct UploadedFile: Decodable {
        var path: String
        var sha256: String
        var size: Int64
    }

    /// Re-checks the gate report and re-hashes every file it names locally, uploads the artifacts (every
    /// file of the directory, or `artifactFiles`), each streamed from disk with its SHA-256, and registers
    /// them with the report's exact text and the lineage.
    /// - Throws: `RegistryClientError.unsupported` for `metrics` (the server records the gate's values).
    public func register(_ request: RegistrationRequest) throws -> ModelVersion {
        guard ModelName.isValid(request.name) else { throw RegistryError.invalidName(request.name) }
        guard request.metrics == nil else {
            throw RegistryClientError.unsupported(url: url, what: "metrics other than the gate report's measured values")
        }
        let (_, reportBytes) = try GateReport.load(verifying: request.gateReport, files: .onDisk)
        let paths = try request.artifactFiles ?? ArtifactDirectory.relativeFiles(in: request.artifactDirectory)
        return try changing {
            let upload = try http.send(UploadCreated.self, .post, "/v1/uploads", json: RegistryHTTP.Empty())
            for path in paths {
                try send(path, from: request.artifactDirectory, to: upload.id)
            }
            let body = RegistrationBody(
                upload: upload.id, gateReport: String(decoding: reportBytes, as: UTF8.self), lineage: request.lineage,
                files: request.artifactFiles)
            return try http.send(ModelVersion.self, .post, "\(Self.model(request.name))/versions", json: body)
        }
    }

    /// Uploads one artifact file with its SHA-256; the server refuses it (and keeps nothing) if the bytes differ.
    private func send(_ path: String, from directory: URL, to upload: String) throws {
        let file = directory.appendingPathComponent(path)
        let sha256 = try FileDigest.sha256(of: file)
        let stored = try http.put(
            UploadedFile.self, "/v1/uploads/\(RegistryHTTP.segment(upload))/files/\(RegistryHTTP.filePath(path))", file: file,
            headers: [("X-Quench-SHA256", sha256)])
        guard stored.path == path, stored.sha256 == sha256 else {
            throw RegistryClientError.malformedAnswer(
                url: url, reason: "the upload of \(path) (sha256 \(sha256)) was stored as \(stored.path) with sha256 \(stored.sha256)")
        }
    }
}
