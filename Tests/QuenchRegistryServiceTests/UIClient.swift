import Foundation
import QuenchTestSupport

/// A cookie as one `Set-Cookie` header wrote it.
struct SetCookie {
    let name: String
    let value: String
    /// Attributes by lowercased name (`path`, `samesite`, `max-age`); a flag (`httponly`, `secure`) maps to "".
    let attributes: [String: String]

    /// Parses `name=value; Attr=x; Flag`; nil when the header has no `name=`.
    init?(header: String) {
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = parts.first, let equals = first.firstIndex(of: "="), equals != first.startIndex else { return nil }
        name = String(first[..<equals])
        value = String(first[first.index(after: equals)...])
        var attributes: [String: String] = [:]
        for part in parts.dropFirst() where !part.isEmpty {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            attributes[pair[0].lowercased()] = pair.count == 2 ? pair[1] : ""
        }
        self.attributes = attributes
    }

    /// Whether the cookie carries `flag` (case-insensitive), e.g. `HttpOnly`.
    func has(_ flag: String) -> Bool { attributes[flag.lowercased()] != nil }

    /// The value of `attribute` (case-insensitive), e.g. `SameSite` → "Strict".
    func attribute(_ attribute: String) -> String? { attributes[attribute.lowercased()] }
}

/// One answer of the web UI as curl saw it; a redirect is not followed.
struct UIAnswer {
    let status: Int
    /// The header lines in order, names lowercased.
    let headers: [(name: String, value: String)]
    let body: String

    /// The first value of header `name` (case-insensitive).
    func header(_ name: String) -> String? { headers.first { $0.name == name.lowercased() }?.value }

    /// The `Location` header as written.
    var location: String? { header("location") }

    /// The cookies the answer sets.
    var cookies: [SetCookie] { headers.filter { $0.name == "set-cookie" }.compactMap { SetCookie(header: $0.value) } }

    /// The cookie `name` the answer sets, if any.
    func cookie(_ name: String) -> SetCookie? { cookies.first { $0.name == name } }

    /// The entity-decoded value of the first `<input name="NAME" value="…">` of the page.
    func input(_ name: String) -> String? {
        for tag in HTMLScan.tags("input", in: body) where tag["name"] == name { return tag["value"] }
        return nil
    }

    /// The text of `<div id="flash" …>`, tags removed and entities decoded.
    var flash: String? {
        guard let start = body.range(of: #"<div id="flash""#), let end = body.range(of: "</div>", range: start.upperBound..<body.endIndex),
              let open = body.range(of: ">", range: start.upperBound..<end.lowerBound) else { return nil }
        return HTMLScan.text(String(body[open.upperBound..<end.lowerBound]))
    }
}

/// Just enough HTML reading for the tests: attributes of tags by name, text without tags.
enum HTMLScan {
    /// The attributes (entity-decoded) of every `<tag …>` in `html`.
    static func tags(_ tag: String, in html: String) -> [[String: String]] {
        let pattern = try? NSRegularExpression(pattern: "<\(tag)\\b([^>]*)>", options: [.caseInsensitive])
        let attribute = try? NSRegularExpression(pattern: #"([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*"([^"]*)")?"#)
        let range = NSRange(html.startIndex..., in: html)
        return (pattern?.matches(in: html, range: range) ?? []).compactMap { match in
            guard let inside = Range(match.range(at: 1), in: html) else { return nil }
            let text = String(html[inside])
            var values: [String: String] = [:]
            for found in attribute?.matches(in: text, range: NSRange(text.startIndex..., in: text)) ?? [] {
                guard let key = Range(found.range(at: 1), in: text) else { continue }
                let value = Range(found.range(at: 2), in: text).map { decoded(String(text[$0])) } ?? ""
                values[text[key].lowercased()] = value
            }
            return values
        }
    }

    /// `html` without its tags, entities decoded, whitespace runs collapsed.
    static func text(_ html: String) -> String {
        let stripped = html.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        return decoded(stripped).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `text` with the entities an escaper writes turned back into characters.
    static func decoded(_ text: String) -> String {
        var result = text
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#34;", "\""), ("&#39;", "'"),
                                    ("&#x27;", "'"), ("&#x2F;", "/"), ("&#47;", "/"), ("&amp;", "&")] {
            result = result.replacingOccurrences(of: entity, with: character)
        }
        return result
    }
}

/// A signed-in session as a test holds it: the `quench_session` cookie and the csrf its forms carry.
struct UISession {
    let cookie: String
    let csrf: String

    /// The cookie header values of this session.
    var cookies: [String: String] { ["quench_session": cookie] }
}

/// The web UI's client in the tests: curl, a client nobody here wrote, redirects not followed. It keeps
/// no cookie jar: a test passes the cookies it took from `Set-Cookie` answers. Cookies go to curl in a
/// header file and form bodies (tokens) in a file, never in its arguments.
struct UIClient {
    let base: String
    let scratch: URL
    /// A CA bundle for an HTTPS server.
    var caBundle: URL?

    /// GET `path` with `cookies`.
    func get(_ path: String, cookies: [String: String] = [:]) throws -> UIAnswer {
        try send(path, form: nil, cookies: cookies)
    }

    /// POST `form` (application/x-www-form-urlencoded, fields in order) to `path` with `cookies`.
    func post(_ path: String, form: [(String, String)], cookies: [String: String] = [:]) throws -> UIAnswer {
        try send(path, form: form, cookies: cookies)
    }

    /// Signs in with `token` the way a browser does (GET the form for its csrf cookie, POST it back), with
    /// `next` in the sign-in URL when given; returns the POST's answer.
    func signIn(token: String, next: String? = nil) throws -> UIAnswer {
        let query = next.map { "?next=\(Self.formEncoded($0))" } ?? ""
        let page = try get("/ui/sign-in\(query)")
        guard page.status == 200, let signInCookie = page.cookie("quench_signin"), let csrf = page.input("csrf") else {
            throw TestSetupError.command("GET /ui/sign-in answered \(page.status) without the quench_signin cookie or a csrf field: \(page.body.prefix(400))")
        }
        var form = [("csrf", csrf), ("token", token)]
        if let next = page.input("next") { form.append(("next", next)) }
        return try post("/ui/sign-in", form: form, cookies: ["quench_signin": signInCookie.value])
    }

    /// Signs in with `token` and reads the csrf of the session's pages; throws unless the sign-in succeeds.
    func session(token: String) throws -> UISession {
        let answer = try signIn(token: token)
        guard answer.status == 303, let cookie = answer.cookie("quench_session") else {
            throw TestSetupError.command("sign-in answered \(answer.status) without a session cookie: \(answer.flash ?? answer.body.prefix(400).description)")
        }
        let page = try get("/ui/models", cookies: ["quench_session": cookie.value])
        guard page.status == 200, let csrf = page.input("csrf") else {
            throw TestSetupError.command("GET /ui/models with a new session answered \(page.status) without a csrf field")
        }
        return UISession(cookie: cookie.value, csrf: csrf)
    }

    /// `text` percent-encoded for a query or a form field (only unreserved characters kept).
    static func formEncoded(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private func send(_ path: String, form: [(String, String)]?, cookies: [String: String]) throws -> UIAnswer {
        let id = UUID().uuidString
        let file = { (name: String) in scratch.appendingPathComponent("ui-\(name)-\(id)") }
        let (requestHeaders, answerHeaders, body) = (file("request-headers"), file("headers"), file("body"))
        var temporary = [requestHeaders, answerHeaders, body]
        defer { temporary.forEach { try? FileManager.default.removeItem(at: $0) } }
        var lines = ["Expect:"]
        if !cookies.isEmpty {
            lines.append("Cookie: " + cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        var arguments = ["-sS", "-o", body.path, "-D", answerHeaders.path, "-w", "%{http_code}", "-H", "@\(requestHeaders.path)"]
        if let form {
            let formFile = file("form")
            temporary.append(formFile)
            try Data(form.map { "\(Self.formEncoded($0.0))=\(Self.formEncoded($0.1))" }.joined(separator: "&").utf8).write(to: formFile)
            lines.append("Content-Type: application/x-www-form-urlencoded")
            arguments += ["--data-binary", "@\(formFile.path)"]
        }
        if let caBundle { arguments += ["--cacert", caBundle.path] }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: requestHeaders)
        let run = try ProcessRunner.run("/usr/bin/curl", arguments + [base + path])
        guard run.exited, run.status == 0, let status = Int(run.standardOutput) else {
            throw TestSetupError.command("curl \(form == nil ? "GET" : "POST") \(path) failed: \(run.output)")
        }
        let headerText = (try? String(contentsOf: answerHeaders, encoding: .utf8)) ?? ""
        // The last block: a 100 Continue, if any, comes first.
        let block = headerText.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .last { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? ""
        let headers = block.split(separator: "\n").dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return UIAnswer(status: status, headers: headers, body: String(decoding: (try? Data(contentsOf: body)) ?? Data(), as: UTF8.self))
    }
}
