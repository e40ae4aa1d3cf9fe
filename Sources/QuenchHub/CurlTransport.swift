#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCurl
import Foundation

/// libcurl's process-wide initialisation, run once on first use (a lazily initialised global).
private let curlGlobalInitResult: CURLcode = quench_curl_global_init()

/// TLS and timeout settings of the libcurl transport. There is deliberately no switch to turn
/// certificate verification off: a private CA is added with `caBundle` instead.
public struct CurlSettings: Sendable, Equatable {
    /// A PEM file of extra trusted CAs (a private mirror's or a test's); nil uses the system store.
    public var caBundle: String?
    public var connectTimeoutSeconds: Int
    /// A transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedSeconds` is abandoned (and retried).
    public var lowSpeedBytesPerSecond: Int
    public var lowSpeedSeconds: Int
    /// Also allows plain `http://` to a loopback address (127.0.0.0/8, ::1, localhost), where nothing
    /// crosses a network: a registry server on the same host. Every other address still needs https.
    public var plainHTTPOnLoopback: Bool

    public init(
        caBundle: String? = nil, connectTimeoutSeconds: Int = 15, lowSpeedBytesPerSecond: Int = 1024, lowSpeedSeconds: Int = 60,
        plainHTTPOnLoopback: Bool = false
    ) {
        self.caBundle = caBundle
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedSeconds = lowSpeedSeconds
        self.plainHTTPOnLoopback = plainHTTPOnLoopback
    }

    /// "https", or "http" for a plain URL this transport may use (`plainHTTPOnLoopback` and a loopback host).
    func permittedScheme(of url: URL) -> String? {
        switch url.scheme?.lowercased() {
        case "https": return "https"
        case "http" where plainHTTPOnLoopback && Self.isLoopback(url.host ?? ""): return "http"
        default: return nil
        }
    }

    /// True for `localhost` and the literal loopback addresses 127.0.0.0/8 and ::1.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return false }
        return withUnsafeBytes(of: &v6) { $0.elementsEqual([UInt8](repeating: 0, count: 15) + [1]) }
    }
}

/// The production transport: libcurl's easy interface, https only (plain http to loopback when the settings
/// allow it), peer and host verified, TLS 1.2+, no .netrc, no verbose output, redirects left to Quench's
/// `RedirectPolicy`. POST and PUT bodies are streamed through a read callback with their length announced,
/// without waiting for a `100 Continue`.
public struct CurlTransport: HTTPTransport {
    public let settings: CurlSettings

    public init(settings: CurlSettings = CurlSettings()) { self.settings = settings }

    public func perform(_ request: HTTPRequest, into sink: HTTPResponseSink) throws -> HTTPResponseHead {
        let url = request.url.absoluteString
        guard let scheme = settings.permittedScheme(of: request.url) else { throw HubError.insecureURL(url: url) }
        let upload = try Self.upload(for: request)
        guard curlGlobalInitResult == CURLE_OK else { throw HubError.transport(url: url, reason: "libcurl failed to initialise") }
        guard let handle = curl_easy_init() else { throw HubError.transport(url: url, reason: "libcurl could not create a handle") }
        defer { curl_easy_cleanup(handle) }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in request.headers + [("User-Agent", "quench/0.1"), ("Accept-Encoding", "identity")] + Self.bodyHeaders(request) {
            guard let appended = curl_slist_append(headerList, "\(header.name): \(header.value)") else {
                throw HubError.transport(url: url, reason: "out of memory building the request headers")
            }
            headerList = appended
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        errorBuffer.initialize(to: 0)

        let transfer = CurlTransfer(sink: sink, upload: upload)
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        var codes: [CURLcode] = [
            quench_curl_setopt_string(handle, CURLOPT_URL, url),
            quench_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, scheme),
            quench_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, scheme),
            quench_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0),
            quench_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1),
            quench_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2),
            quench_curl_setopt_long(handle, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)),
            quench_curl_setopt_long(handle, CURLOPT_NETRC, Int(CURL_NETRC_IGNORED.rawValue)),
            quench_curl_setopt_long(handle, CURLOPT_VERBOSE, 0),
            quench_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            quench_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeoutSeconds),
            quench_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, settings.lowSpeedBytesPerSecond),
            quench_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, settings.lowSpeedSeconds),
            quench_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, 128 * 1024),
            quench_curl_setopt_long(handle, CURLOPT_NOBODY, request.method == .head ? 1 : 0),
            quench_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList),
            quench_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            quench_curl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback),
            quench_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context),
            quench_curl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback),
            quench_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context),
        ]
        if let upload {
            let size = curl_off_t(upload.size)
            codes += request.method == .put
                ? [quench_curl_setopt_long(handle, CURLOPT_UPLOAD, 1), quench_curl_setopt_offset(handle, CURLOPT_INFILESIZE_LARGE, size)]
                : [quench_curl_setopt_long(handle, CURLOPT_POST, 1), quench_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, size)]
            codes += [
                quench_curl_setopt_read_function(handle, CURLOPT_READFUNCTION, curlReadCallback),
                quench_curl_setopt_pointer(handle, CURLOPT_READDATA, context),
            ]
        }
        if let caBundle = settings.caBundle {
            codes.append(quench_curl_setopt_string(handle, CURLOPT_CAINFO, caBundle))
        }
        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            throw HubError.transport(url: url, reason: "libcurl rejected an option: \(String(cString: curl_easy_strerror(failed)))")
        }

        let result = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        if let failure = transfer.failure { throw failure }
        guard result == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw HubError.transport(url: url, reason: detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail)
        }
        guard transfer.finish(), let head = transfer.head else {
            throw transfer.failure ?? HubError.malformedResponse(url: url, reason: "no status line")
        }
        return head
    }
}

extension CurlTransport {
    /// The body a POST or PUT sends (an empty one when it has none); nil for GET and HEAD, which may not have one.
    static func upload(for request: HTTPRequest) throws(HubError) -> CurlUpload? {
        switch request.method {
        case .post, .put:
            return try CurlUpload(request.body ?? .data(Data()), url: request.url.absoluteString)
        case .get, .head:
            guard request.body == nil else {
                throw .transport(url: request.url.absoluteString, reason: "a \(request.method.rawValue) request cannot carry a body")
            }
            return nil
        }
    }

    /// For a request with a body: no `Expect: 100-continue` round trip, and no form content type made up by
    /// libcurl when the caller named none (an empty value removes libcurl's own header).
    static func bodyHeaders(_ request: HTTPRequest) -> [(name: String, value: String)] {
        guard request.method == .post || request.method == .put else { return [] }
        return [("Expect", "")] + (request.header("Content-Type") == nil ? [(name: "Content-Type", value: "")] : [])
    }
}
