import Hummingbird

/// HTTPTypes' header field, which Hummingbird exports only as the element of `HTTPFields`.
typealias HeaderField = HTTPFields.Element

/// The answers of the web UI: pages, redirects and the static style sheet and script. The security
/// headers every /ui answer carries are added by `UIPageMiddleware`.
enum UIResponse {
    /// An HTML page.
    static func page(_ html: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[values: .setCookie] = cookies
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A 303 to `location` (a path on this server), after a form post or for a page that needs a session.
    static func redirect(to location: String, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[values: .setCookie] = cookies
        return Response(status: .seeOther, headers: headers)
    }

    /// The style sheet or script, which browsers may keep for an hour.
    static func asset(_ text: String, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// An error page saying `error`'s message, with its status.
    static func error(_ error: APIError, context: PageContext, cookies: [String] = []) -> Response {
        page(ErrorPage.render(title: error.status.reasonPhrase, message: error.message, context: context), status: error.status, cookies: cookies)
    }
}
