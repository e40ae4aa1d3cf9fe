#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import CCurl
import QuenchFiles

/// The state one libcurl transfer shares with its C callbacks: the request body as it is sent, the
/// response head as it is parsed, and the first error a sink or the body threw (curl only sees "abort",
/// Quench rethrows the real error afterwards).
final class CurlTransfer {
    let sink: HTTPResponseSink
    let upload: CurlUpload?
    private(set) var status = 0
    private var headers: [String: String] = [:]
    private(set) var head: HTTPResponseHead?
    private(set) var failure: Error?

    init(sink: HTTPResponseSink, upload: CurlUpload? = nil) {
        self.sink = sink
        self.upload = upload
    }

    /// Fills `buffer` with the next bytes of the request body; nil aborts the transfer.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard failure == nil, let upload else { return nil }
        do {
            return try upload.read(into: buffer)
        } catch {
            failure = error
            return nil
        }
    }

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

/// libcurl's read callback: fills curl's buffer with the request body of the transfer named by `context`.
let curlReadCallback: curl_read_callback = { pointer, size, count, context in
    let abort = Int(CURL_READFUNC_ABORT)
    guard let pointer, let context else { return abort }
    let (capacity, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow else { return abort }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.read(into: UnsafeMutableRawBufferPointer(start: pointer, count: capacity)) ?? abort
}

/// A request body as libcurl pulls it: bytes in memory, or a regular file read from its first byte to the
/// size it had when opened (a file that shrinks meanwhile fails the request instead of sending less).
final class CurlUpload {
    private enum Source {
        case data(Data)
        case file(RegularFile)
    }

    private let source: Source
    private let url: String
    /// The number of bytes sent, announced as `Content-Length`.
    let size: Int
    private var offset = 0

    /// Opens `body` for request `url`; a file is opened at once, so a missing or special file fails here.
    init(_ body: HTTPRequest.Body, url: String) throws(HubError) {
        self.url = url
        switch body {
        case .data(let data):
            source = .data(data)
            size = data.count
        case .file(let file):
            do {
                let opened = try RegularFile(path: file.path)
                source = .file(opened)
                size = opened.size
            } catch {
                throw .transport(url: url, reason: "cannot read the request body \(error.path): \(error.reason)")
            }
        }
    }

    /// Copies the next bytes into `buffer`; 0 once all `size` bytes are sent.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(HubError) -> Int {
        let count = min(buffer.count, size - offset)
        guard count > 0, let base = buffer.baseAddress else { return 0 }
        switch source {
        case .data(let data):
            data.withUnsafeBytes { bytes in
                guard let start = bytes.baseAddress else { return }
                base.copyMemory(from: start + offset, byteCount: count)
            }
        case .file(let file):
            var done = 0
            while done < count {
                let read = pread(file.descriptor, base + done, count - done, off_t(offset + done))
                if read < 0, errno == EINTR { continue }
                guard read > 0 else {
                    let reason = read == 0 ? "the file shrank while it was sent" : String(cString: strerror(errno))
                    throw .transport(url: url, reason: "cannot read the request body \(file.path): \(reason)")
                }
                done += read
            }
        }
        offset += count
        return count
    }
}
