import Foundation
import QuenchFiles
import QuenchHub

/// The registry API v1 over HTTP: bearer authentication, bounded JSON answers, streamed uploads and
/// downloads, and the server's `{"error": {"code", "message"}}` answers turned into `RegistryClientError`.
/// Redirects are never followed (a 3xx is an error); the token appears only in the `Authorization` header.
struct RegistryHTTP: Sendable {
    /// The registry's normalized URL, to which `/v1/...` paths are appended.
    let base: String
    let token: HubToken
    let transport: any HTTPTransport

    /// The largest JSON answer read (a full version list or an audit log page).
    static let answerLimit = 64 << 20
    /// The largest error answer read.
    static let errorLimit = 64 << 10

    /// An empty JSON object, the body of requests that carry no fields.
    struct Empty: Codable {}

    /// The error body every refusal of the API carries.
    private struct ErrorAnswer: Decodable {
        struct Detail: Decodable {
            var code: String
            var message: String
        }
        var error: Detail
    }

    /// `GET path` decoded as `T`.
    func get<T: Decodable>(_ type: T.Type, _ path: String) throws(RegistryClientError) -> T {
        let request = HTTPRequest(method: .get, url: try url(path), headers: [token.authorizationHeader])
        return try decode(type, exchange(request), request)
    }

    /// `method path` with `body` encoded as JSON, the answer decoded as `T`.
    func send<T: Decodable, Body: Encodable>(
        _ type: T.Type, _ method: HTTPRequest.Method, _ path: String, json body: Body
    ) throws(RegistryClientError) -> T {
        let data: Data
        do {
            data = try JSONCoding.lineEncoder.encode(body)
        } catch {
            throw .unsupported(url: base, what: "a request body that cannot be encoded as JSON (\(error))")
        }
        let request = HTTPRequest(
            method: method, url: try url(path), headers: [token.authorizationHeader, ("Content-Type", "application/json")],
            body: .data(data))
        return try decode(type, exchange(request), request)
    }

    /// `PUT path` streaming the file at `file`, with `headers`; the answer decoded as `T`.
    func put<T: Decodable>(
        _ type: T.Type, _ path: String, file: URL, headers: [(name: String, value: String)]
    ) throws(RegistryClientError) -> T {
        let request = HTTPRequest(
            method: .put, url: try url(path),
            headers: [token.authorizationHeader, ("Content-Type", "application/octet-stream")] + headers, body: .file(file))
        return try decode(type, exchange(request), request)
    }

    /// `GET path` streamed into `file` (written atomically, mode 0600), refusing more than `limit` bytes.
    func download(_ path: String, to file: URL, limit: Int) throws(RegistryClientError) {
        let request = HTTPRequest(method: .get, url: try url(path), headers: [token.authorizationHeader])
        let sink = DownloadSink(destination: file, limit: limit, url: request.url)
        let head = try perform(request, into: sink)
        guard head.status == 200 else { throw refusal(head, sink.errorBody, request) }
        do {
            try sink.commit()
        } catch {
            throw .unreachable(url: base, reason: "cannot keep the download of \(path): \(error)")
        }
    }

    /// The absolute URL of an API path (already percent-encoded, see `segment`).
    func url(_ path: String) throws(RegistryClientError) -> URL {
        guard let url = URL(string: base + path) else { throw .invalidURL(url: base + path, reason: "it does not parse") }
        return url
    }

    /// One path segment (a model name, a file path component) percent-encoded.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? text
    }

    /// A relative file path, each component percent-encoded, the slashes kept.
    static func filePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment(String($0)) }.joined(separator: "/")
    }

    private static let segmentCharacters = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/;"))

    /// The body of a successful exchange (2xx), else the refusal as an error.
    private func exchange(_ request: HTTPRequest) throws(RegistryClientError) -> Data {
        let sink = MemorySink(url: request.url, limit: Self.answerLimit)
        let head = try perform(request, into: sink)
        guard (200..<300).contains(head.status) else { throw refusal(head, sink.data, request) }
        return sink.data
    }

    private func perform(_ request: HTTPRequest, into sink: HTTPResponseSink) throws(RegistryClientError) -> HTTPResponseHead {
        do {
            return try transport.perform(request, into: sink)
        } catch HubError.insecureURL {
            throw .insecureURL(url: base)
        } catch {
            throw .unreachable(url: base, reason: "\(request.method.rawValue) \(request.url.path): \(error)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ request: HTTPRequest) throws(RegistryClientError) -> T {
        do {
            return try JSONCoding.decoder.decode(type, from: data)
        } catch {
            throw .malformedAnswer(
                url: base, reason: "\(request.method.rawValue) \(request.url.path): \(JSONErrorText.describe(error, in: data))")
        }
    }

    /// The error for a non-2xx answer: 401 says to fix the token; others carry the server's code and message.
    private func refusal(_ head: HTTPResponseHead, _ body: Data, _ request: HTTPRequest) -> RegistryClientError {
        let what = "\(request.method.rawValue) \(request.url.path)"
        if head.status == 401 { return .unauthorized(url: base) }
        if (300..<400).contains(head.status) {
            return .refused(url: base, status: head.status, code: "redirect",
                            message: "\(what) was redirected to \(head.header("location") ?? "nowhere"); the client does "
                                + "not follow redirects: use the registry's final URL")
        }
        guard let answer = try? JSONCoding.decoder.decode(ErrorAnswer.self, from: body) else {
            return .refused(url: base, status: head.status, code: "http_\(head.status)",
                            message: "\(what) failed without an API error body (is \(base) a Quench registry?)")
        }
        return .refused(url: base, status: head.status, code: answer.error.code, message: answer.error.message)
    }
}

/// Streams a 200 answer into a file through `AtomicFile.Writer`, refusing more than `limit` bytes; an
/// error answer is kept in memory (bounded) instead, for its message.
private final class DownloadSink: HTTPResponseSink {
    let destination: URL
    let limit: Int
    let url: URL
    private var writer: AtomicFile.Writer?
    private var written = 0
    private(set) var errorBody = Data()

    init(destination: URL, limit: Int, url: URL) {
        self.destination = destination
        self.limit = limit
        self.url = url
    }

    func receive(head: HTTPResponseHead) throws {
        guard head.status == 200 else { return }
        writer = try AtomicFile.Writer(destination: destination, permissions: 0o600)
    }

    func receive(body: UnsafeRawBufferPointer) throws {
        guard let writer else {
            guard body.count <= RegistryHTTP.errorLimit - errorBody.count else {
                throw HubError.malformedResponse(url: url.absoluteString, reason: "the error answer exceeds \(RegistryHTTP.errorLimit) bytes")
            }
            errorBody.append(contentsOf: body)
            return
        }
        guard body.count <= limit - written else {
            throw HubError.malformedResponse(url: url.absoluteString, reason: "the file is larger than its recorded \(limit) bytes")
        }
        try writer.write(body)
        written += body.count
    }

    /// Moves the downloaded file into place.
    func commit() throws {
        guard let writer else { throw HubError.malformedResponse(url: url.absoluteString, reason: "no body") }
        try writer.commit()
    }
}
