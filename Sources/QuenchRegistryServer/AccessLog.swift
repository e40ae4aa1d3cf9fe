import Foundation
import Hummingbird
import QuenchFiles
import QuenchRegistry

/// One line of the access log: who did what and how it ended. Never a header value or a query string,
/// so no token can reach the log.
struct AccessLogLine: Encodable {
    var at: String
    var identity: String
    var method: String
    var path: String
    var status: Int
    var ms: Int
    var bytesIn: Int64
    var bytesOut: Int64

    enum CodingKeys: String, CodingKey {
        case at, identity, method, path, status, ms, bytesIn = "bytes_in", bytesOut = "bytes_out"
    }
}

/// The outermost middleware: turns every thrown error into the API's JSON error answer and writes
/// one access-log line per request to standard error.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    /// The API's routes, to tell an unknown path (404) from a method the path does not take (405).
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(at: request.uri.path)
            response = allowed.isEmpty ? Self.response(for: APIError.from(error))
                : Self.response(for: .methodNotAllowed(request.method.rawValue, allowed: allowed), allow: allowed)
        } catch {
            response = Self.response(for: APIError.from(error))
        }
        let elapsed = clock.now - start
        let line = AccessLogLine(
            at: Date().ISO8601Format(), identity: context.record.identity ?? "-", method: request.method.rawValue,
            path: request.uri.path, status: response.status.code,
            ms: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
            bytesIn: context.record.bytesIn, bytesOut: Int64(response.body.contentLength ?? 0))
        if let data = try? JSONCoding.lineEncoder.encode(line) {
            StandardStream.error.write(String(decoding: data, as: UTF8.self) + "\n")
        }
        return response
    }

    /// The JSON answer of an API error.
    static func response(for error: APIError, allow: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if !allow.isEmpty { headers[.allow] = allow.joined(separator: ", ") }
        if error.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: error.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: error.body)))
    }
}
