import Foundation
import QuenchTestSupport

/// One answer of the registry API as curl saw it.
struct APIAnswer {
    let status: Int
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }

    /// The `error.code` of an error answer.
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }

    /// The `error.message` of an error answer.
    var errorMessage: String { ((object["error"] as? [String: Any])?["message"] as? String) ?? "" }
}

/// A test's HTTP client for the registry: curl, a client nobody here wrote. The token goes to curl in
/// a header file, never in its arguments.
struct ServerClient {
    let base: String
    let token: String?
    let scratch: URL
    /// A CA bundle for an HTTPS server.
    var caBundle: URL?

    /// Sends `method path` with `body` (a JSON text or a file's bytes) and `headers`, and waits for the answer.
    func send(_ method: String, _ path: String, json: String? = nil, file: URL? = nil, headers: [String: String] = [:]) throws -> APIAnswer {
        try start(method, path, json: json, file: file, headers: headers).answer()
    }

    /// Starts the request in the background (so tests can race several), for `answer()` to wait on.
    func start(_ method: String, _ path: String, json: String? = nil, file: URL? = nil, headers: [String: String] = [:]) throws -> PendingRequest {
        let id = UUID().uuidString
        let headerFile = scratch.appendingPathComponent("headers-\(id)")
        var lines = headers.map { "\($0.key): \($0.value)" }
        if let token { lines.append("Authorization: Bearer \(token)") }
        let pending = PendingRequest(label: "\(method) \(path)", output: scratch.appendingPathComponent("body-\(id)"),
                                     status: scratch.appendingPathComponent("status-\(id)"), temporary: [headerFile])
        var arguments = ["-sS", "-X", method, "-o", pending.output.path, "-w", "%{http_code}", "-H", "@\(headerFile.path)"]
        if let json {
            let bodyFile = scratch.appendingPathComponent("request-\(id)")
            try Data(json.utf8).write(to: bodyFile)
            pending.temporary.append(bodyFile)
            lines.append("Content-Type: application/json")
            arguments += ["--data-binary", "@\(bodyFile.path)"]
        } else if let file {
            arguments += ["--data-binary", "@\(file.path)"]
        }
        if let caBundle { arguments += ["--cacert", caBundle.path] }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: headerFile)
        pending.process = try ProcessRunner.start(URL(fileURLWithPath: "/usr/bin/curl"), arguments + [base + path], log: pending.status)
        return pending
    }

    /// The same client with another token.
    func with(token: String?) -> ServerClient {
        ServerClient(base: base, token: token, scratch: scratch, caBundle: caBundle)
    }
}

/// A request curl is sending in the background.
final class PendingRequest {
    let label: String
    /// Where curl writes the answer's body.
    let output: URL
    /// Where curl writes the status code (and any error of its own).
    let status: URL
    var temporary: [URL]
    var process: Process?

    init(label: String, output: URL, status: URL, temporary: [URL]) {
        self.label = label
        self.output = output
        self.status = status
        self.temporary = temporary
    }

    /// Waits for curl and returns the answer.
    func answer() throws -> APIAnswer {
        defer { (temporary + [output, status]).forEach { try? FileManager.default.removeItem(at: $0) } }
        process?.waitUntilExit()
        let printed = (try? String(contentsOf: status, encoding: .utf8)) ?? ""
        guard process?.terminationStatus == 0, let code = Int(printed) else {
            throw TestSetupError.command("curl \(label) failed: \(printed)")
        }
        return APIAnswer(status: code, body: (try? Data(contentsOf: output)) ?? Data())
    }
}
