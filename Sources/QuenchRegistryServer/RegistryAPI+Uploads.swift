import Foundation
import Hummingbird
import QuenchRegistry

/// The upload endpoints: a trainer creates an upload, then streams each artifact file into it.
extension RegistryAPI {
    /// The answer of POST /v1/uploads.
    struct UploadCreated: Codable {
        var id: String
    }

    func addUploadRoutes(to routes: inout RouteList) {
        routes.post("/v1/uploads") { request, context in
            let identity = try await authentication.identity(of: request, context: context, holding: [.trainer, .admin], for: "upload artifacts")
            let uploads = self.uploads
            let id = try await worker.io { try uploads.create(owner: identity.name) }
            return try Self.json(UploadCreated(id: id), status: .created)
        }
        routes.put("/v1/uploads/:id/files/**") { request, context in
            let identity = try await authentication.identity(of: request, context: context, holding: [.trainer, .admin], for: "upload artifacts")
            let id = context.parameters.get("id") ?? ""
            let path = try UploadArea.uploadPath(context.parameters.getCatchAll())
            let declared = try Self.declaredSHA256(request)
            if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > receiver.limit {
                throw APIError.payloadTooLarge("file '\(path)'", limit: receiver.limit)
            }
            let uploads = self.uploads
            let folder = try await worker.io { try uploads.folder(id, ownedBy: identity.name) }
            let received = try await receiver.receive(request.body, path: path, into: folder, declared: declared, record: context.record)
            return try Self.json(received, status: .created)
        }
    }

    /// The `X-Quench-SHA256` header: 64 hex digits, required so the server can refuse a damaged upload.
    private static func declaredSHA256(_ request: Request) throws -> String {
        let value = request.headers.first { $0.name.canonicalName == "x-quench-sha256" }?.value ?? ""
        let lower = value.lowercased()
        guard lower.count == 64, lower.allSatisfy(\.isHexDigit) else {
            throw APIError.badRequest("the header X-Quench-SHA256 must give the file's SHA-256 as 64 hex digits")
        }
        return lower
    }
}
