import Hummingbird

/// Wraps every answer under /ui: adds the security headers, and answers with an error page whatever
/// reaches it thrown (the router's unknown page, 405 for a page asked with another method), so the
/// access-log middleware outside it never turns a UI answer into JSON.
struct UIPageMiddleware: RouterMiddleware {
    typealias Context = RegistryRequestContext

    /// The headers of every /ui answer: nothing but this server's own scripts, styles and forms, no
    /// framing, no sniffing, no referrer. (The names are valid constants; a unit test counts them.)
    static let securityHeaders: [HeaderField] = headerValues.compactMap { name, value in
        HeaderField.Name(name).map { HeaderField(name: $0, value: value) }
    }

    private static let headerValues: [(String, String)] = [
        ("Content-Security-Policy", contentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
    ]

    private static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// Every route, to tell an unknown page (404) from a method a page does not take (405).
    let routes: RouteTable

    /// True for the UI's paths: `/ui` and everything under `/ui/`.
    static func isUIPath(_ path: String) -> Bool {
        path == "/ui" || path.hasPrefix("/ui/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isUIPath(request.uri.path) else { return try await next(request, context) }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(at: request.uri.path)
            if allowed.isEmpty {
                response = UIResponse.error(.notFound("There is no page at \(request.uri.path)."), context: Self.anonymous)
            } else {
                response = UIResponse.error(
                    APIError(.methodNotAllowed, code: "method_not_allowed",
                             message: "This page takes \(allowed.joined(separator: " or ")), not \(request.method.rawValue)."),
                    context: Self.anonymous)
                response.headers[.allow] = allowed.joined(separator: ", ")
            }
        } catch {
            response = UIResponse.error(APIError.from(error), context: Self.anonymous)
        }
        for field in Self.securityHeaders { response.headers[field.name] = field.value }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    /// The page context of an answer given without looking at the session.
    static let anonymous = PageContext(user: nil, csrf: "", flash: nil)
}
