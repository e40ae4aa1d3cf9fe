import Foundation
import CCurl

/// The state one libcurl transfer shares with its C callbacks: the response head as it is parsed and
/// the first error a sink threw (curl only sees "abort", Quench rethrows the real error afterwards).
final class CurlTransfer {
    let sink: HTTPResponseSink
    private(set) var status = 0
    private var headers: [String: String] = [:]
    private(set) var head: HTTPResponseHead?
    private(set) var failure: Error?

    init(sink: HTTPResponseSink) { self.sink = sink }

    /// One header line from curl (status line, `Name: value`, or the blank line ending the head).
    func header(_ line: UnsafeRawBufferPointer) -> Bool {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("HTTP/") {
            let fields = text.split(separator: " ", maxSplits: 2)
            status = fields.count >= 2 ? Int(fields[1]) ?? 0 : 0
            headers = [:]
            head = nil
        } else if text.isEmpty {
            // 1xx answers are interim: the real head follows.
            if status >= 200 { return deliverHead() }
        } else if let colon = text.firstIndex(of: ":") {
            let name = text[..<colon].lowercased()
            headers[name] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return true
    }

    /// One chunk of body from curl.
    func body(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil else { return false }
        if head == nil, !deliverHead() { return false }
        do {
            try sink.receive(body: bytes)
            return true
        } catch {
            failure = error
            return false
        }
    }

    /// Gives the head to the sink if it has not had it (a HEAD answer or an empty body has no chunk).
    func finish() -> Bool { head != nil || deliverHead() }

    private func deliverHead() -> Bool {
        let parsed = HTTPResponseHead(status: status, headers: headers)
        head = parsed
        do {
            try sink.receive(head: parsed)
            return true
        } catch {
            failure = error
            return false
        }
    }
}

/// libcurl's write callback: passes each body chunk to the transfer named by `context`.
let curlWriteCallback: curl_write_callback = { pointer, size, count, context in
    guard let pointer, let context else { return 0 }
    let (bytes, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.body(UnsafeRawBufferPointer(start: pointer, count: bytes)) ? bytes : 0
}

/// libcurl's header callback: passes each header line to the transfer named by `context`.
let curlHeaderCallback: curl_write_callback = { pointer, size, count, context in
    guard let pointer, let context else { return 0 }
    let (bytes, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.header(UnsafeRawBufferPointer(start: pointer, count: bytes)) ? bytes : 0
}
