import Foundation
import Hummingbird
import QuenchFiles
import QuenchRegistry

/// An error answer of the API: the status, a stable code clients branch on, and a message a user can act on.
///
/// Every failure reaches the client in one shape, `{"error": {"code": "...", "message": "..."}}`.
public struct APIError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// 400: the request cannot be understood (malformed JSON, an unknown key, an invalid name).
    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, code: "bad_request", message: message) }

    /// 401, the same for an absent, unknown, revoked, expired or forged credential: no detail for a guesser.
    static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", message: "authentication required: send Authorization: Bearer <token>")

    /// 403 for an identity lacking every role of `roles` for `action`.
    static func forbidden(_ identity: String, action: String, needs roles: [String]) -> APIError {
        APIError(.forbidden, code: "forbidden",
                 message: "\(identity) may not \(action): it needs the role \(roles.joined(separator: " or "))")
    }

    /// 404 for a route, version, upload or file that does not exist.
    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message: message) }

    /// 405 for a known path asked with a method it does not take.
    static func methodNotAllowed(_ method: String, allowed: [String]) -> APIError {
        APIError(.methodNotAllowed, code: "method_not_allowed",
                 message: "this endpoint takes \(allowed.joined(separator: " or ")), not \(method); see GET /v1/openapi.yaml")
    }

    /// 413 for a body larger than the server's cap.
    static func payloadTooLarge(_ what: String, limit: Int64) -> APIError {
        APIError(.contentTooLarge, code: "payload_too_large",
                 message: "\(what) is larger than the server's limit of \(limit) bytes")
    }

    /// The JSON body of this error.
    var body: Data {
        let value = ["error": ["code": code, "message": message]]
        return (try? JSONCoding.lineEncoder.encode(value)) ?? Data(#"{"error":{"code":"internal","message":"error"}}"#.utf8)
    }
}

extension APIError {
    /// The API error for any error a handler threw: registry refusals by their meaning, Hummingbird's
    /// own (an unknown route, an unsupported method) by their status, anything else a 500.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as RegistryError: return APIError(registry: error)
        case let error as HTTPError: return APIError(http: error.status)
        case let error as any HTTPResponseError: return APIError(http: error.status)
        default: return APIError(.internalServerError, code: "internal", message: "the server failed: \(error)")
        }
    }

    private init(http status: HTTPResponse.Status) {
        switch status {
        case .notFound: self = .notFound("no such endpoint; see GET /v1/openapi.yaml")
        case .contentTooLarge: self = APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is too large")
        default:
            self = APIError(status, code: status.code < 500 ? "bad_request" : "internal", message: status.reasonPhrase)
        }
    }
}
