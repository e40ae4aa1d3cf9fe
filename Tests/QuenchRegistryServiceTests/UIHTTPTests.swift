import Foundation
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// The registry's web UI over real HTTP through curl (`UIClient`): sign-in and its cookies, the security
    /// headers on every answer, CSRF on every form, escaping of user text, sign-out, expiry, revocation and
    /// the sign-in's redirect that never leaves the site.
    @Suite struct UIHTTPTests {
        /// The Content-Security-Policy of every /ui answer, as directives.
        static let policy: Set<String> = [
            "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "form-action 'self'",
            "frame-ancestors 'none'", "base-uri 'none'",
        ]
        static let markup = "<script>alert(1)</script>"
        static let formRefusal = "The form expired or did not come from this site; reload the page and try again."

        /// A client for `fixture`'s server.
        static func client(_ fixture: ServerFixture) -> UIClient { UIClient(base: fixture.server.url, scratch: fixture.directory.url) }

        /// The status of support-bot@`version` as the API reports it.
        static func status(_ fixture: ServerFixture, version: Int = 1) throws -> String? {
            try fixture.client(as: "approver-b").send("GET", "/v1/models/support-bot/versions/\(version)").object["status"] as? String
        }

        /// Expects `answer` to send the browser to the sign-in page, coming back to `next` afterwards.
        static func expectSignIn(_ answer: UIAnswer, next: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(answer.status == 303, "\(answer.status): \(answer.body.prefix(300))", sourceLocation: sourceLocation)
            let location = answer.location ?? ""
            #expect(location.hasPrefix("/ui/sign-in?next="), "Location: \(location)", sourceLocation: sourceLocation)
            let target = URLComponents(string: location)?.queryItems?.first { $0.name == "next" }?.value
            #expect(target == next, "Location: \(location)", sourceLocation: sourceLocation)
        }

        @Test func signInExchangesTheTokenForAStrictSessionCookieAndNeverEchoesAWrongOne() throws {
            let fixture = try ServerFixture()
            let ui = Self.client(fixture)
            Self.expectSignIn(try ui.get("/ui/models"), next: "/ui/models")
            let root = try ui.get("/ui")
            #expect(root.status == 303)
            #expect(root.location == "/ui/models")

            let form = try ui.get("/ui/sign-in")
            #expect(form.status == 200)
            let signInCookie = try #require(form.cookie("quench_signin"))
            #expect(signInCookie.has("HttpOnly"))
            #expect(signInCookie.attribute("SameSite") == "Strict")
            #expect(signInCookie.attribute("Path") == "/ui")
            #expect(!signInCookie.has("Secure"))
            #expect(form.input("csrf") == signInCookie.value)
            let tokenField = try #require(HTMLScan.tags("input", in: form.body).first { $0["id"] == "token" })
            #expect(tokenField["type"] == "password")
            #expect(tokenField["name"] == "token")
            #expect(HTMLScan.tags("label", in: form.body).contains { $0["for"] == "token" })

            let wrongToken = "qrt_" + String(repeating: "WrongTokenNeverEchoed", count: 2)
            let refused = try ui.signIn(token: wrongToken)
            #expect(refused.status == 401)
            #expect(refused.flash == "That token is not accepted: it is unknown, revoked or mistyped.")
            #expect(refused.cookie("quench_session") == nil)
            #expect(!refused.body.contains(wrongToken))

            let token = try #require(fixture.tokens["approver-a"])
            // The double-submit check: a sign-in posted without the form's cookie, or with a csrf field
            // that does not repeat it, is refused before the token is looked at, and no session starts.
            for (label, cookies) in [("no sign-in cookie", [String: String]()), ("another sign-in cookie", ["quench_signin": "not-the-form-value"])] {
                let forged = try ui.post("/ui/sign-in", form: [("csrf", signInCookie.value), ("token", token)], cookies: cookies)
                #expect(forged.status == 403, "\(label): \(forged.status)")
                #expect(forged.cookie("quench_session") == nil, "\(label)")
            }
            let accepted = try ui.signIn(token: token)
            #expect(accepted.status == 303, "\(accepted.status): \(accepted.flash ?? "")")
            #expect(accepted.location == "/ui/models")
            let session = try #require(accepted.cookie("quench_session"))
            #expect(session.has("HttpOnly"))
            #expect(session.attribute("SameSite") == "Strict")
            #expect(session.attribute("Path") == "/ui")
            #expect(!session.has("Secure"))
            #expect(session.attribute("Max-Age") == nil, "the session cookie ends with the browser; the server expires it")
            #expect(session.value.count >= 43, "a session id of 32 random bytes")
            #expect(accepted.cookie("quench_signin")?.attribute("Max-Age") == "0")
            let models = try ui.get("/ui/models", cookies: ["quench_session": session.value])
            #expect(models.status == 200)
            #expect(models.body.contains("approver-a"))

            let log = fixture.server.output
            #expect(!log.contains(wrongToken), "the server logged a rejected token")
            #expect(!log.contains(token), "the server logged an accepted token")
            #expect(!log.contains(session.value), "the server logged a session id")
        }

        @Test func everyAnswerCarriesTheSecurityHeaders() throws {
            let fixture = try ServerFixture()
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            let ui = Self.client(fixture)
            let session = try ui.session(token: try #require(fixture.tokens["approver-a"]))
            let pages: [(String, UIAnswer, Int)] = [
                ("redirect to sign-in", try ui.get("/ui/models"), 303),
                ("sign-in page", try ui.get("/ui/sign-in"), 200),
                ("rejected sign-in", try ui.signIn(token: "qrt_unknown"), 401),
                ("models", try ui.get("/ui/models", cookies: session.cookies), 200),
                ("model", try ui.get("/ui/models/support-bot", cookies: session.cookies), 200),
                ("version", try ui.get("/ui/models/support-bot/versions/1", cookies: session.cookies), 200),
                ("audit", try ui.get("/ui/audit", cookies: session.cookies), 200),
                ("unknown model", try ui.get("/ui/models/no-such-model", cookies: session.cookies), 404),
                ("unknown version", try ui.get("/ui/models/support-bot/versions/9", cookies: session.cookies), 404),
                ("form without csrf", try ui.post("/ui/models/support-bot/versions/1/approve", form: [("note", "")], cookies: session.cookies), 403),
            ]
            let statics: [(String, UIAnswer, String)] = [
                ("stylesheet", try ui.get("/ui/static/app.css"), "text/css"),
                ("script", try ui.get("/ui/static/app.js"), "javascript"),
            ]
            for (label, answer, status) in pages {
                #expect(answer.status == status, "\(label): \(answer.status)")
                #expect(answer.header("Cache-Control") == "no-store", "\(label)")
                if status != 303 { #expect(answer.header("Content-Type") == "text/html; charset=utf-8", "\(label)") }
            }
            for (label, answer, type) in statics {
                #expect(answer.status == 200, "\(label): \(answer.status)")
                #expect(answer.header("Content-Type")?.contains(type) == true, "\(label): \(answer.header("Content-Type") ?? "no type")")
                #expect(!answer.body.isEmpty, "\(label)")
            }
            for (label, answer) in pages.map({ ($0.0, $0.1) }) + statics.map({ ($0.0, $0.1) }) {
                let directives = Set((answer.header("Content-Security-Policy") ?? "").split(separator: ";")
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
                #expect(directives == Self.policy, "\(label): \(answer.header("Content-Security-Policy") ?? "no CSP")")
                #expect(answer.header("X-Content-Type-Options") == "nosniff", "\(label)")
                #expect(answer.header("Referrer-Policy") == "no-referrer", "\(label)")
                #expect(answer.header("X-Frame-Options") == "DENY", "\(label)")
            }
        }

        @Test func anActionNeedsTheSessionsOwnCSRFToken() throws {
            let fixture = try ServerFixture()
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            let ui = Self.client(fixture)
            let a = try ui.session(token: try #require(fixture.tokens["approver-a"]))
            let b = try ui.session(token: try #require(fixture.tokens["approver-b"]))
            #expect(a.csrf != b.csrf)
            let approve = "/ui/models/support-bot/versions/1/approve"

            let unsigned = try ui.post(approve, form: [("csrf", a.csrf), ("note", "")])
            #expect(unsigned.status == 303)
            #expect(unsigned.location?.hasPrefix("/ui/sign-in") == true, "Location: \(unsigned.location ?? "none")")
            let refusals: [(String, UIAnswer)] = [
                ("no csrf", try ui.post(approve, form: [("note", "")], cookies: a.cookies)),
                ("a wrong csrf", try ui.post(approve, form: [("csrf", String(a.csrf.reversed())), ("note", "")], cookies: a.cookies)),
                ("the csrf of another session", try ui.post(approve, form: [("csrf", a.csrf), ("note", "")], cookies: b.cookies)),
            ]
            for (label, answer) in refusals {
                #expect(answer.status == 403, "\(label): \(answer.status)")
                #expect(answer.body.contains(Self.formRefusal), "\(label): \(answer.body.prefix(300))")
                #expect(try Self.status(fixture) == "pending_approval", "\(label) changed the version")
            }

            let approved = try ui.post(approve, form: [("csrf", a.csrf), ("note", "eval reviewed")], cookies: a.cookies)
            #expect(approved.status == 303, "\(approved.status): \(approved.body.prefix(300))")
            #expect(approved.location == "/ui/models/support-bot/versions/1")
            let shown = try fixture.client(as: "approver-b").send("GET", "/v1/models/support-bot/versions/1")
            #expect(shown.object["status"] as? String == "approved")
            #expect(shown.object["decided_by"] as? String == "approver-a")
            let page = try ui.get("/ui/models/support-bot/versions/1", cookies: a.cookies)
            #expect(page.flash == "Approved support-bot@1.")
            #expect(try ui.get("/ui/models/support-bot/versions/1", cookies: a.cookies).flash == nil, "a flash is shown once")
        }

        @Test func aFormIsReadStrictlyAndEveryRequestIsLoggedWithItsUser() throws {
            let fixture = try ServerFixture()
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            let ui = Self.client(fixture)
            let a = try ui.session(token: try #require(fixture.tokens["approver-a"]))
            let approve = "/ui/models/support-bot/versions/1/approve"
            let smuggled = try ui.post(approve, form: [("csrf", a.csrf), ("note", ""), ("decided_by", "approver-b")], cookies: a.cookies)
            #expect(smuggled.status == 400)
            #expect(smuggled.body.contains("unknown field &#39;decided_by&#39;"), "\(smuggled.body.prefix(600))")
            let repeated = try ui.post(approve, form: [("csrf", a.csrf), ("note", "a"), ("note", "b")], cookies: a.cookies)
            #expect(repeated.status == 400)
            #expect(repeated.body.contains("&#39;note&#39; is given more than once"), "\(repeated.body.prefix(600))")
            let long = try ui.post(approve, form: [("csrf", a.csrf), ("note", String(repeating: "n", count: 4_001))], cookies: a.cookies)
            #expect(long.status == 400)
            #expect(try Self.status(fixture) == "pending_approval")

            #expect(try ui.post(approve, form: [("csrf", a.csrf), ("note", "")], cookies: a.cookies).status == 303)
            let lines = fixture.server.accessLog.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            let posts = lines.filter { $0["path"] as? String == approve }
            #expect(posts.map { $0["status"] as? Int } == [400, 400, 400, 303], "\(posts)")
            #expect(posts.allSatisfy { $0["identity"] as? String == "approver-a" }, "\(posts)")
            #expect(lines.contains { $0["path"] as? String == "/ui/sign-in" && $0["identity"] as? String == "approver-a" })
            #expect(!fixture.server.output.contains(a.cookie) && !fixture.server.output.contains(a.csrf))
        }

        @Test func aRefusedActionShowsTheAPIsReason() throws {
            let fixture = try ServerFixture()
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            let ui = Self.client(fixture)
            let trainer = try ui.session(token: try #require(fixture.tokens["trainer-t"]))
            let api = try fixture.client(as: "trainer-t").send("POST", "/v1/models/support-bot/versions/1/approve", json: "{}")
            #expect(api.status == 403)
            let refused = try ui.post("/ui/models/support-bot/versions/1/approve", form: [("csrf", trainer.csrf), ("note", "")],
                                      cookies: trainer.cookies)
            #expect(refused.status == 403)
            #expect(refused.flash == api.errorMessage)
            #expect(try Self.status(fixture) == "pending_approval")
        }

        @Test func userTextIsShownEscaped() throws {
            let fixture = try ServerFixture()
            let candidate = try fixture.candidate(datasetPath: "data/\(Self.markup).jsonl")
            #expect(try fixture.register(candidate).status == 201)
            let ui = Self.client(fixture)
            let a = try ui.session(token: try #require(fixture.tokens["approver-a"]))
            let note = "\(Self.markup) & \"quoted\""
            let approved = try ui.post("/ui/models/support-bot/versions/1/approve", form: [("csrf", a.csrf), ("note", note)], cookies: a.cookies)
            #expect(approved.status == 303)
            #expect(try fixture.client(as: "approver-b").send("GET", "/v1/models/support-bot/versions/1").object["decision_note"] as? String == note)

            let page = try ui.get("/ui/models/support-bot/versions/1", cookies: a.cookies)
            #expect(page.status == 200)
            #expect(!page.body.contains(Self.markup))
            #expect(!page.body.contains("<script>"))
            #expect(page.body.contains("data/&lt;script&gt;alert(1)&lt;/script&gt;.jsonl"))
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; "))
            let searched = try ui.get("/ui/models?q=\(UIClient.formEncoded(Self.markup))", cookies: a.cookies)
            #expect(searched.status == 200)
            #expect(!searched.body.contains(Self.markup))
            #expect(HTMLScan.tags("input", in: searched.body).first { $0["id"] == "model-search" }?["value"] == Self.markup)
        }

        @Test func theVersionPageDrawsTheTrainingCurve() throws {
            let fixture = try ServerFixture()
            let curve: [(step: Int, loss: Double, validationLoss: Double?)] = [(1, 2.5, 2.6), (2, 2.1, nil), (3, 1.8, 1.9)]
            #expect(try fixture.register(try fixture.candidate(trainingCurve: curve)).status == 201)
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            let ui = Self.client(fixture)
            let a = try ui.session(token: try #require(fixture.tokens["approver-a"]))
            let drawn = try ui.get("/ui/models/support-bot/versions/1", cookies: a.cookies).body
            let section = try #require(drawn.range(of: #"id="loss-curve""#))
            #expect(drawn[section.upperBound...].prefix(4000).contains("<svg"))
            let missing = try ui.get("/ui/models/support-bot/versions/2", cookies: a.cookies).body
            #expect(missing.contains("No training curve was recorded for this version."))
        }

        @Test func theMLBOMDownloadsAsAnAttachment() throws {
            let fixture = try ServerFixture()
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            let ui = Self.client(fixture)
            let a = try ui.session(token: try #require(fixture.tokens["approver-a"]))
            let page = try ui.get("/ui/models/support-bot/versions/1", cookies: a.cookies)
            #expect(HTMLScan.tags("a", in: page.body).contains { $0["href"] == "/ui/models/support-bot/versions/1/bom" })
            let bom = try ui.get("/ui/models/support-bot/versions/1/bom", cookies: a.cookies)
            #expect(bom.status == 200)
            #expect(bom.header("Content-Disposition") == #"attachment; filename="support-bot-1.bom.json""#)
            let document = try JSONSerialization.jsonObject(with: Data(bom.body.utf8)) as? [String: Any]
            #expect(document?["bomFormat"] as? String == "CycloneDX")
            Self.expectSignIn(try ui.get("/ui/models/support-bot/versions/1/bom"), next: "/ui/models/support-bot/versions/1/bom")
        }

        @Test func signingOutEndsTheSession() throws {
            let fixture = try ServerFixture()
            let ui = Self.client(fixture)
            let a = try ui.session(token: try #require(fixture.tokens["approver-a"]))
            let signedOut = try ui.post("/ui/sign-out", form: [("csrf", a.csrf)], cookies: a.cookies)
            #expect(signedOut.status == 303)
            #expect(signedOut.location == "/ui/sign-in")
            #expect(signedOut.cookie("quench_session")?.attribute("Max-Age") == "0")
            Self.expectSignIn(try ui.get("/ui/models", cookies: a.cookies), next: "/ui/models")
        }

        @Test func anExpiredSessionSendsBackToSignInSayingSo() throws {
            let fixture = try ServerFixture(serverArguments: ["--session-lifetime", "2"])
            let ui = Self.client(fixture)
            let a = try ui.session(token: try #require(fixture.tokens["approver-a"]))
            #expect(try ui.get("/ui/audit", cookies: a.cookies).status == 200)
            Thread.sleep(forTimeInterval: 2.5)
            let expired = try ui.get("/ui/audit", cookies: a.cookies)
            Self.expectSignIn(expired, next: "/ui/audit")
            let signIn = try ui.get(try #require(expired.location), cookies: a.cookies)
            #expect(signIn.status == 200)
            #expect(signIn.flash == "Your session expired; sign in again.")
        }

        @Test func aRevokedUsersSessionStopsAtOnce() throws {
            let fixture = try ServerFixture()
            let ui = Self.client(fixture)
            let b = try ui.session(token: try #require(fixture.tokens["approver-b"]))
            #expect(try ui.get("/ui/models", cookies: b.cookies).status == 200)
            _ = try ProcessRunner.run(RegistryServerProcess.binary, ["registry", "users", "revoke", "approver-b", "--home", fixture.home.path])
                .checked("quench registry users revoke")
            Self.expectSignIn(try ui.get("/ui/models", cookies: b.cookies), next: "/ui/models")
        }

        @Test func signInNeverRedirectsOffTheSite() throws {
            let fixture = try ServerFixture()
            let ui = Self.client(fixture)
            let token = try #require(fixture.tokens["approver-a"])
            for next in ["//evil.example/", "https://evil.example/", "/\\evil.example/", "javascript:alert(1)", "/v1/versions"] {
                let answer = try ui.signIn(token: token, next: next)
                #expect(answer.status == 303, "next=\(next)")
                #expect(answer.location == "/ui/models", "next=\(next): Location \(answer.header("Location") ?? "none")")
            }
            #expect(try ui.signIn(token: token, next: "/ui/audit").location == "/ui/audit")
        }
    }
}
