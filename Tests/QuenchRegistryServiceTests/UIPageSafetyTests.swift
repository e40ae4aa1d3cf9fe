import Foundation
import Testing
@testable import QuenchRegistry
@testable import QuenchRegistryServer

/// Every page is a whole document the Content-Security-Policy lets run (no inline script, style or
/// handler), and user-chosen text (model names, notes, dataset names, queries, reasons) never becomes markup.
@Suite struct UIPageSafetyTests {
    static let hostileNote = #"</p><script>alert("note")</script>"#
    static let hostileDataset = #""><img src=x onerror=alert(1)>"#
    static let hostileName = #"bad"<b>name"#

    /// Each page once, fed the hostile texts wherever a user could have put them.
    static func everyPage() -> [String: String] {
        let context = UIPageSamples.context(UIPageSamples.admin, flash: Flash(kind: .refused, message: "<i>refused</i>"))
        let version = UIPageSamples.version(name: hostileName, status: .approved, note: hostileNote, aliases: [.staging],
                                            curve: [LossPoint(step: 1, loss: 2), LossPoint(step: 2, loss: 1.5, validationLoss: 1.7)],
                                            datasetPath: hostileDataset)
        let move = AliasMove(name: hostileName, alias: .staging, version: 1, previousVersion: nil, action: "promote",
                             actor: "<admin>", at: "2026-03-02T10:00:00.000Z")
        let entry = AuditEntry(seq: 1, at: "2026-03-01T10:00:00.000Z", actor: "<trainer>", action: "register",
                               subject: "\(hostileName)@1", body: #"{"note":"\#(hostileNote)"}"#, leafHash: String(repeating: "b", count: 64))
        let verification = AuditVerification(entries: 1, checkpoints: 0, root: "r", firstBadEntry: 1, problem: "<entry 1> was edited")
        return [
            "sign-in": SignInPage.render(next: #"/ui/models"><script>"#, context: UIPageSamples.context(nil)),
            "models": ModelsPage.render(versions: [version], query: #""<b>"#, context: context),
            "model": ModelPage.render(name: hostileName, versions: [version], aliasMoves: [move], context: context),
            "version": VersionPage.render(UIPageSamples.page(version, signature: .failed("<sig> mismatch"), moves: [move], audit: [entry]),
                                          context: context),
            "audit": AuditPage.render(entries: [entry], checkpoint: nil, verification: verification, context: context),
            "error": ErrorPage.render(title: "Not <found>", message: "no model \(hostileName)", context: context),
        ]
    }

    @Test func everyPageIsAWholeDocumentWithTheStaticStylesheetAndScriptOnly() throws {
        for (page, html) in Self.everyPage() {
            #expect(html.hasPrefix("<!doctype html>\n<html lang=\"en\">"), "\(page)")
            #expect(html.contains(#"<meta charset="utf-8">"#), "\(page)")
            #expect(html.contains(#"<meta name="viewport" content="width=device-width, initial-scale=1">"#), "\(page)")
            #expect(html.contains(#"<link rel="stylesheet" href="/ui/static/app.css">"#), "\(page)")
            #expect(html.contains(#"<script src="/ui/static/app.js" defer></script>"#), "\(page)")
            #expect(html.components(separatedBy: "<script").count == 2, "\(page) has one script element, the static one")
            #expect(html.range(of: #"<[a-zA-Z][^>]*\sstyle\s*="#, options: .regularExpression) == nil, "\(page) has a style attribute")
            #expect(html.range(of: #"<[a-zA-Z][^>]*\son[a-z]+\s*="#, options: .regularExpression) == nil, "\(page) has an inline event handler")
            #expect(!html.contains("<style"), "\(page) has a style element")
            #expect(html.contains("<title>"), "\(page)")
        }
    }

    @Test func userTextIsEscapedInTextAndAttributes() throws {
        let pages = Self.everyPage()
        for (page, html) in pages {
            #expect(!html.contains("<script>alert"), "\(page)")
            #expect(!html.contains("<img src=x"), "\(page)")
            #expect(!html.contains("<b>name"), "\(page)")
            #expect(!html.contains("<i>refused"), "\(page)")
        }
        let version = try #require(pages["version"])
        let note = try #require(UIPageSamples.element("p", id: "decision-note", in: version))
        #expect(note.contains("&lt;/p&gt;&lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;"))
        #expect(version.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(version.contains("failed: &lt;sig&gt; mismatch"))
        #expect(version.contains(#"<div id="flash" class="flash refused" role="status">&lt;i&gt;refused&lt;/i&gt;</div>"#))
        let models = try #require(pages["models"])
        #expect(models.contains(#"value="&quot;&lt;b&gt;""#))
        #expect(models.contains(#"<tr data-model="bad&quot;&lt;b&gt;name">"#))
        let signIn = try #require(pages["sign-in"])
        #expect(signIn.contains(#"name="next" value="/ui/models&quot;&gt;&lt;script&gt;""#))
        #expect(try #require(pages["audit"]).contains("&lt;entry 1&gt; was edited"))
    }

    @Test func linksCarryModelNamesAsOneEncodedPathSegment() throws {
        #expect(PageHTML.pathSegment("support-bot_v2.1~x") == "support-bot_v2.1~x")
        #expect(PageHTML.pathSegment("a b/c?d#e%f") == "a%20b%2Fc%3Fd%23e%25f")
        #expect(PageHTML.pathSegment("modèle") == "mod%C3%A8le")
        let models = try #require(Self.everyPage()["models"])
        #expect(models.contains(#"href="/ui/models/bad%22%3Cb%3Ename""#))
        #expect(models.contains(#"href="/ui/models/bad%22%3Cb%3Ename/versions/1""#))
    }

    @Test func everyFormPostsItsCSRFTokenAndTheSignedInUserIsShown() throws {
        for (page, html) in Self.everyPage() {
            let posts = html.components(separatedBy: #"method="post""#).count - 1
            let fields = html.components(separatedBy: #"<input type="hidden" name="csrf" value="\#(UIPageSamples.csrf)">"#).count - 1
            #expect(posts == fields, "\(page): \(posts) post forms, \(fields) csrf fields")
            if page != "sign-in" {
                #expect(html.contains(#"<form id="sign-out" method="post" action="/ui/sign-out">"#), "\(page)")
                #expect(html.contains(#"<span id="user-name">admin-z</span>"#), "\(page)")
                #expect(html.contains(#"<span id="user-roles" class="muted">admin</span>"#), "\(page)")
                #expect(html.contains(#"<a href="/ui/models">Models</a><a href="/ui/audit">Audit log</a>"#), "\(page)")
            }
        }
        let signIn = try #require(Self.everyPage()["sign-in"])
        #expect(!signIn.contains("sign-out"))
        #expect(signIn.contains(#"<form id="sign-in" method="post" action="/ui/sign-in" class="stacked">"#))
        #expect(signIn.contains(#"<label for="token">API token</label>"#))
        #expect(signIn.contains(#"<input type="password" id="token" name="token" autocomplete="off">"#))
        #expect(signIn.contains(#"<button id="sign-in-button" type="submit">Sign in</button>"#))
    }
}
