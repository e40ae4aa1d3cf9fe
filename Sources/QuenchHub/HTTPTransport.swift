import Foundation

/// One HTTP request: method, URL, headers and, for POST and PUT, a body. Redirects are never followed by
/// the transport.
public struct HTTPRequest: Sendable, Equatable {
    public enum Method: String, Sendable { case get = "GET", head = "HEAD", post = "POST", put = "PUT" }

    /// What a POST or PUT sends; its length is known before the first byte goes, so it is sent with a
    /// `Content-Length` header.
    public enum Body: Sendable, Equatable {
        /// Bytes in memory (a JSON document).
        case data(Data)
        /// The regular file at this path, streamed from disk (an artifact upload).
        case file(URL)
    }

    public var method: Method
    public var url: URL
    /// Header names and values; the `Authorization` value is a secret and is never logged.
    public var headers: [(name: String, value: String)]
    /// The request body; POST and PUT without one send an empty body, GET and HEAD may not have one.
    public var body: Body?

    public init(method: Method = .get, url: URL, headers: [(name: String, value: String)] = [], body: Body? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of header `name` (case-insensitive), if set.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name.lowercased()):\($0.value)" } == rhs.headers.map { "\($0.name.lowercased()):\($0.value)" }
    }
}

/// The status line and headers of a response, known before any body byte arrives.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    /// Header names in lower case; a repeated header keeps its last value.
    public var headers: [String: String]

    public init(status: Int, headers: [String: String]) {
        self.status = status
        self.headers = headers
    }

    /// The value of header `name` (any case).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Receives one response as it streams: the head first, then body chunks. Throwing aborts the transfer
/// and the transport rethrows that error.
public protocol HTTPResponseSink: AnyObject {
    func receive(head: HTTPResponseHead) throws
    func receive(body: UnsafeRawBufferPointer) throws
}

/// The seam between Quench and the network: libcurl in production, stand-ins in tests.
public protocol HTTPTransport: Sendable {
    /// Performs `request` without following redirects, streaming the response into `sink`.
    /// Network failures throw `HubError.transport`; HTTP error statuses are returned, not thrown.
    func perform(_ request: HTTPRequest, into sink: HTTPResponseSink) throws -> HTTPResponseHead
}

/// A sink that keeps a small body in memory (API answers, error pages), refusing more than `limit` bytes.
public final class MemorySink: HTTPResponseSink {
    public private(set) var head: HTTPResponseHead?
    public private(set) var data = Data()
    let limit: Int
    let url: URL

    public init(url: URL, limit: Int = 16 << 20) {
        self.url = url
        self.limit = limit
    }

    public func receive(head: HTTPResponseHead) throws { self.head = head }

    public func receive(body: UnsafeRawBufferPointer) throws {
        guard body.count <= limit - data.count else {
            throw HubError.malformedResponse(url: url.absoluteString, reason: "the answer exceeds \(limit) bytes")
        }
        data.append(contentsOf: body)
    }
}
