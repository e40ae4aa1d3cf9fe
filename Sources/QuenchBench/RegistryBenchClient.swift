import Foundation
import QuenchFiles
import QuenchHub
import QuenchRegistry

/// The benchmark's HTTP client of the registry API v1: Quench's libcurl transport, which opens a new
/// connection for every request (one easy handle per request, no keep-alive), as the registry client does.
public struct RegistryBenchClient: Sendable {
    /// The server's base URL.
    public let base: String
    let token: String
    let transport = CurlTransport(settings: CurlSettings(plainHTTPOnLoopback: true))

    public init(base: String, token: String) {
        self.base = base
        self.token = token
    }

    private struct UploadCreated: Decodable { var id: String }

    /// The body of POST /v1/models/{name}/versions.
    private struct Registration: Encodable {
        var upload: String
        var gateReport: String
        var lineage: Lineage

        enum CodingKeys: String, CodingKey { case upload, gateReport = "gate_report", lineage }
    }

    /// GET /v1/models/{name}/versions, which must answer 200.
    public func listVersions(of name: String) throws {
        _ = try exchange(.get, "/v1/models/\(name)/versions", expecting: 200)
    }

    /// The whole registration sequence: POST /v1/uploads, a PUT per file with its SHA-256, then
    /// POST /v1/models/{name}/versions with the gate report and lineage.
    public func register(_ candidate: RegistryBenchCandidate, as name: String) throws {
        let created = try exchange(.post, "/v1/uploads", expecting: 201)
        let upload = try JSONCoding.decoder.decode(UploadCreated.self, from: created).id
        for file in candidate.files {
            _ = try exchange(.put, "/v1/uploads/\(upload)/files/\(file.path)", body: .file(file.url),
                             headers: [("X-Quench-SHA256", file.sha256)], expecting: 201)
        }
        let body = try JSONCoding.lineEncoder.encode(
            Registration(upload: upload, gateReport: candidate.gateReport, lineage: candidate.lineage))
        _ = try exchange(.post, "/v1/models/\(name)/versions", body: .data(body),
                         headers: [("Content-Type", "application/json")], expecting: 201)
    }

    /// Sends one request with the bearer token and returns the body of an answer with status `expected`.
    private func exchange(
        _ method: HTTPRequest.Method, _ path: String, body: HTTPRequest.Body? = nil,
        headers: [(name: String, value: String)] = [], expecting expected: Int
    ) throws -> Data {
        guard let url = URL(string: base + path) else { throw BenchmarkError.invalidURL(base + path) }
        let request = HTTPRequest(method: method, url: url, headers: [("Authorization", "Bearer \(token)")] + headers, body: body)
        let sink = MemorySink(url: url)
        let head = try transport.perform(request, into: sink)
        guard head.status == expected else {
            throw BenchmarkError.unexpectedAnswer(
                request: "\(method.rawValue) \(path)", status: head.status, body: String(decoding: sink.data.prefix(500), as: UTF8.self))
        }
        return sink.data
    }
}
