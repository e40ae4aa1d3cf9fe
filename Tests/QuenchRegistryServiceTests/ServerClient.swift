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

    /// Sends `method path` with `body` (a JSON text or a file's bytes) and `headers`.
    func send(_ method: String, _ path: String, json: String? = nil, file: URL? = nil, headers: [String: String] = [:]) throws -> APIAnswer {
        let id = UUID().uuidString
        let headerFile = scratch.appendingPathComponent("headers-\(id)")
        let output = scratch.appendingPathComponent("body-\(id)")
        defer {
            try? FileManager.default.removeItem(at: headerFile)
            try? FileManager.default.removeItem(at: output)
        }
        var lines = headers.map { "\($0.key): \($0.value)" }
        if let token { lines.append("Authorization: Bearer \(token)") }
        var arguments = ["-sS", "-X", method, "-o", output.path, "-w", "%{http_code}", "-H", "@\(headerFile.path)"]
        if let json {
            let bodyFile = scratch.appendingPathComponent("request-\(id)")
            try Data(json.utf8).write(to: bodyFile)
            lines.append("Content-Type: application/json")
            arguments += ["--data-binary", "@\(bodyFile.path)"]
        } else if let file {
            arguments += ["--data-binary", "@\(file.path)"]
        }
        if let caBundle { arguments += ["--cacert", caBundle.path] }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: headerFile)
        let result = try ProcessRunner.run("/usr/bin/curl", arguments + [base + path]).checked("curl \(method) \(path)")
        guard let status = Int(result.standardOutput) else {
            throw TestSetupError.command("curl printed no status for \(method) \(path): \(result.output)")
        }
        return APIAnswer(status: status, body: (try? Data(contentsOf: output)) ?? Data())
    }

    /// The same client with another token.
    func with(token: String?) -> ServerClient {
        ServerClient(base: base, token: token, scratch: scratch, caBundle: caBundle)
    }
}
