import Foundation

/// One request to the hub, following redirects under `RedirectPolicy` and mapping statuses to errors.
struct HubClient: Sendable {
    let transport: HTTPTransport
    let endpoint: URL
    let redirects: RedirectPolicy
    let token: HubToken?

    /// The heads of one fetch: the first answer (the hub's, with X-Repo-Commit and X-Linked-*) and the last.
    struct Result {
        let first: HTTPResponseHead
        let final: HTTPResponseHead
    }

    /// Fetches `url`, streaming a 2xx body into `sink`. 416 is returned for the caller to handle; 401,
    /// 403 and 404 throw their `HubError`; 429, 5xx and broken connections throw `RetryableFailure`.
    func fetch(_ url: URL, method: HTTPRequest.Method = .get, headers: [(name: String, value: String)] = [],
               what: String, into sink: HTTPResponseSink) throws -> Result {
        try redirects.check(url)
        var current = url
        var first: HTTPResponseHead?
        for _ in 0...RedirectPolicy.maximumHops {
            var request = HTTPRequest(method: method, url: current, headers: headers)
            if let token, redirects.mayCarryToken(to: current, origin: endpoint) {
                request.headers.append(token.authorizationHeader)
            }
            let head: HTTPResponseHead
            do {
                head = try transport.perform(request, into: HopSink(target: sink))
            } catch let error as HubError {
                guard case .transport = error else { throw error }
                throw RetryableFailure(url: current.absoluteString, status: nil, retryAfter: nil, underlying: error)
            }
            if first == nil { first = head }
            switch head.status {
            case 301, 302, 303, 307, 308:
                current = try redirects.next(from: current, location: head.header("location"))
                continue
            case 200..<300, 416:
                return Result(first: first ?? head, final: head)
            case 401: throw HubError.unauthorized(url: current.absoluteString)
            case 403: throw HubError.forbidden(url: current.absoluteString)
            case 404: throw HubError.notFound(url: current.absoluteString, what: what)
            case 429, 500..<600:
                throw RetryableFailure(url: current.absoluteString, status: head.status,
                                       retryAfter: RetryPolicy.retryAfter(head.header("retry-after")), underlying: nil)
            default:
                throw HubError.unexpectedStatus(url: current.absoluteString, status: head.status)
            }
        }
        throw HubError.tooManyRedirects(url: url.absoluteString, limit: RedirectPolicy.maximumHops)
    }
}

/// Passes a 2xx answer to the real sink and drops the bodies of redirects and error pages.
private final class HopSink: HTTPResponseSink {
    let target: HTTPResponseSink
    private var passing = false

    init(target: HTTPResponseSink) { self.target = target }

    func receive(head: HTTPResponseHead) throws {
        passing = (200..<300).contains(head.status)
        if passing { try target.receive(head: head) }
    }

    func receive(body: UnsafeRawBufferPointer) throws {
        if passing { try target.receive(body: body) }
    }
}
