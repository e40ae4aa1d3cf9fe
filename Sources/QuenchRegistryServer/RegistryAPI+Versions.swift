import Foundation
import Hummingbird
import QuenchRegistry

/// The version endpoints: list, show, register from an upload, verify, files and ML-BOM.
extension RegistryAPI {
    /// The answer of GET .../verify.
    struct Verified: Codable {
        var subject: String
        var verified: Bool
    }

    func addVersionRoutes(to routes: inout RouteList) {
        routes.get("/v1/versions") { request, context in
            _ = try await authentication.identity(of: request, context: context)
            return try Self.json(try await worker.run { try $0.list() })
        }
        routes.get("/v1/models/:name/versions") { request, context in
            _ = try await authentication.identity(of: request, context: context)
            let name = try Self.name(context)
            return try Self.json(try await worker.run { try $0.list(name: name) })
        }
        routes.get("/v1/models/:name/versions/:version") { request, context in
            _ = try await authentication.identity(of: request, context: context)
            let reference = try Self.reference(context)
            return try Self.json(try await worker.run { try $0.show(reference) })
        }
        routes.post("/v1/models/:name/versions") { request, context in
            try await register(request, context: context)
        }
        routes.get("/v1/models/:name/versions/:version/verify") { request, context in
            _ = try await authentication.identity(of: request, context: context)
            let reference = try Self.reference(context)
            let version = try await worker.run { try $0.verify(reference) }
            return try Self.json(Verified(subject: version.subject, verified: true))
        }
        routes.get("/v1/models/:name/versions/:version/bom") { request, context in
            _ = try await authentication.identity(of: request, context: context)
            return try await bom(try Self.reference(context))
        }
        routes.get("/v1/models/:name/versions/:version/files/**") { request, context in
            try await file(request, context: context)
        }
    }

    /// The ML-BOM of `reference` as a JSON answer: the API's and the UI's download.
    func bom(_ reference: VersionReference) async throws -> Response {
        let quenchVersion = self.quenchVersion
        return try Self.json(try await worker.run { try $0.bom(reference, quenchVersion: quenchVersion) })
    }

    /// Registers the files of an upload as the next version of `{name}`; the upload is consumed
    /// whether the registration succeeds or is refused.
    private func register(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let identity = try await authentication.identity(of: request, context: context, holding: [.trainer, .admin], for: "register")
        let name = try Self.name(context)
        let body = try await self.body(RegistrationBody.self, of: request, context: context)
        let uploads = self.uploads
        let claimed = try await worker.io { try uploads.claim(body.upload, by: identity.name) }
        let version: ModelVersion
        do {
            version = try await worker.run { registry in
                let gate = claimed.appendingPathComponent("gate.json")
                try Data(body.gateReport.utf8).write(to: gate)
                let registration = RegistrationRequest(
                    name: name, artifactDirectory: claimed.appendingPathComponent("files"), artifactFiles: body.files,
                    gateReport: gate, lineage: body.lineage, gateFiles: .uploaded)
                return try registry.register(registration, by: identity)
            }
        } catch {
            try? await worker.io { try? FileManager.default.removeItem(at: claimed) }
            throw error
        }
        try? await worker.io { try? FileManager.default.removeItem(at: claimed) }
        return try Self.json(version, status: .created)
    }

    /// Streams one stored file of a version: one of its recorded files, or its signature.
    private func file(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        _ = try await authentication.identity(of: request, context: context)
        let reference = try Self.reference(context)
        let path = try ArtifactPath.decode(context.parameters.getCatchAll())
        let version = try await worker.run { try $0.show(reference) }
        guard path == OpenSSFSigner.signatureFileName || version.files.contains(where: { $0.path == path }) else {
            throw APIError.notFound("\(version.subject) has no file '\(path)'")
        }
        let url = URL(fileURLWithPath: version.artifactDirectory).appendingPathComponent(path)
        let body: ResponseBody
        do {
            body = try await FileIO(threadPool: worker.pool).loadFile(path: url.path, context: context)
        } catch {
            throw APIError(registry: .artifactTampered(subject: version.subject, file: path, reason: "is missing or unreadable"))
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        return Response(status: .ok, headers: headers, body: body)
    }
}
