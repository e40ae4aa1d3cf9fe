import Foundation
import Hummingbird
import QuenchRegistry

/// The endpoints about the service itself: health, the public key, the OpenAPI document, the caller.
extension RegistryAPI {
    /// The answer of GET /v1/public-key.
    struct PublicKey: Codable {
        var keyID: String
        var pem: String

        enum CodingKeys: String, CodingKey { case keyID = "key_id", pem }
    }

    func addServiceRoutes(to routes: inout RouteList) {
        routes.get("/v1/health") { _, _ in
            try Self.json(["status": "ok"])
        }
        routes.get("/v1/public-key") { _, _ in
            let key = try await worker.run { PublicKey(keyID: try $0.keyID(), pem: try $0.publicKeyPEM()) }
            return try Self.json(key)
        }
        routes.get("/v1/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: openAPIDocument)))
        }
        routes.get("/v1/me") { request, context in
            try Self.json(try await authentication.identity(of: request, context: context))
        }
    }
}
