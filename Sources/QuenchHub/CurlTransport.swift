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

    public init(caBundle: String? = nil, connectTimeoutSeconds: Int = 15, lowSpeedBytesPerSecond: Int = 1024, lowSpeedSeconds: Int = 60) {
        self.caBundle = caBundle
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedSeconds = lowSpeedSeconds
    }
}

/// The production transport: libcurl's easy interface, https only, peer and host verified, TLS 1.2+,
/// no .netrc, no verbose output, redirects left to Quench's `RedirectPolicy`.
public struct CurlTransport: HTTPTransport {
    public let settings: CurlSettings

    public init(settings: CurlSettings = CurlSettings()) { self.settings = settings }

    public func perform(_ request: HTTPRequest, into sink: HTTPResponseSink) throws -> HTTPResponseHead {
        let url = request.url.absoluteString
        guard request.url.scheme?.lowercased() == "https" else { throw HubError.insecureURL(url: url) }
        guard curlGlobalInitResult == CURLE_OK else { throw HubError.transport(url: url, reason: "libcurl failed to initialise") }
        guard let handle = curl_easy_init() else { throw HubError.transport(url: url, reason: "libcurl could not create a handle") }
        defer { curl_easy_cleanup(handle) }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in request.headers + [("User-Agent", "quench/0.1"), ("Accept-Encoding", "identity")] {
            guard let appended = curl_slist_append(headerList, "\(header.name): \(header.value)") else {
                throw HubError.transport(url: url, reason: "out of memory building the request headers")
            }
            headerList = appended
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        errorBuffer.initialize(to: 0)

        let transfer = CurlTransfer(sink: sink)
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        var codes: [CURLcode] = [
            quench_curl_setopt_string(handle, CURLOPT_URL, url),
            quench_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "https"),
            quench_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "https"),
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
