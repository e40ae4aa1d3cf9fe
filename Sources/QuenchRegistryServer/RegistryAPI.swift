import Foundation
import Hummingbird
import QuenchFiles
import QuenchRegistry

/// The HTTP API v1 of the registry: every endpoint, each a thin translation between HTTP and one
/// registry call made on the worker's thread pool.
struct RegistryAPI: Sendable {
    let worker: RegistryWorker
    let authentication: RequestAuthentication
    let uploads: UploadArea
    let receiver: UploadReceiver
    /// The largest JSON body accepted, in bytes.
    let jsonLimit: Int64
    /// Quench's version, written into ML-BOMs.
    let quenchVersion: String
    /// The OpenAPI document served at /v1/openapi.yaml.
    let openAPIDocument: Data

    /// Adds every route under /v1 to `routes`.
    func addRoutes(to routes: inout RouteList) {
        addServiceRoutes(to: &routes)
        addVersionRoutes(to: &routes)
        addDecisionRoutes(to: &routes)
        addUploadRoutes(to: &routes)
        addAuditRoutes(to: &routes)
    }

    /// Reads a JSON body of at most `jsonLimit` bytes and decodes it strictly; an empty body reads as `{}`.
    func body<T: Codable>(_ type: T.Type, of request: Request, context: RegistryRequestContext) async throws -> T {
        var data = Data()
        for try await buffer in request.body {
            guard Int64(data.count) + Int64(buffer.readableBytes) <= jsonLimit else {
                throw APIError.payloadTooLarge("the request body", limit: jsonLimit)
            }
            context.record.received(buffer.readableBytes)
            data.append(contentsOf: buffer.readableBytesView)
        }
        return try StrictJSON.decode(T.self, from: data.isEmpty ? Data("{}".utf8) : data)
    }

    /// A JSON answer.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONCoding.lineEncoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The `{name}` path parameter, a valid model name.
    static func name(_ context: RegistryRequestContext) throws -> String {
        let raw = context.parameters.get("name") ?? ""
        let name = raw.removingPercentEncoding ?? raw
        guard ModelName.isValid(name) else { throw APIError(registry: .invalidName(name)) }
        return name
    }

    /// The `{name}` and `{v}` path parameters as a version reference.
    static func reference(_ context: RegistryRequestContext) throws -> VersionReference {
        let name = try name(context)
        let text = context.parameters.get("version") ?? ""
        guard let number = Int(text), number > 0 else {
            throw APIError.badRequest("version '\(text)' is not a positive integer")
        }
        return VersionReference(name: name, version: number)
    }

    /// A non-negative integer query parameter, `absent` when missing.
    static func query(_ key: String, of request: Request, absent: Int?) throws -> Int {
        guard let text = request.uri.queryParameters.get(key) else {
            guard let absent else { throw APIError.badRequest("the query parameter '\(key)' is required") }
            return absent
        }
        guard let value = Int(text), value >= 0 else {
            throw APIError.badRequest("the query parameter '\(key)' is '\(text)', expected a non-negative integer")
        }
        return value
    }
}
