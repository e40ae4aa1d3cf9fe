import Foundation
import Testing
@testable import QuenchRegistry
@testable import QuenchRegistryServer

/// The models list (grouped by name, searchable), a model's versions and alias history, the audit log,
/// and the stylesheet and script those pages load.
@Suite struct UIPageListTests {
    private let context = UIPageSamples.context(UIPageSamples.approver)

    private var versions: [ModelVersion] {
        [UIPageSamples.version(number: 1, status: .approved, aliases: [.production], createdAt: "2026-03-01T10:00:00.000Z"),
         UIPageSamples.version(number: 2, status: .pendingApproval, aliases: [.staging], createdAt: "2026-03-05T10:00:00.000Z"),
         UIPageSamples.version(name: "other-model", number: 1, status: .rejected, createdAt: "2026-03-03T10:00:00.000Z")]
    }

    @Test func theModelsListShowsEachModelsLatestVersionAndAliasesNewestFirst() throws {
        let html = ModelsPage.render(versions: versions, query: "", context: context)
        let table = try #require(UIPageSamples.element("table", id: "models", in: html))
        let support = try #require(table.range(of: #"<tr data-model="support-bot">"#))
        let other = try #require(table.range(of: #"<tr data-model="other-model">"#))
        #expect(support.lowerBound < other.lowerBound)
        #expect(table.contains(#"<td><a href="/ui/models/support-bot">support-bot</a></td><td class="num"><a href="/ui/models/support-bot/versions/2">2</a></td><td><span class="status status-pending_approval">pending_approval</span></td><td><span class="alias">production → 1</span> <span class="alias">staging → 2</span></td><td><time datetime="2026-03-05T10:00:00.000Z">2026-03-05 10:00 UTC</time></td>"#))
        #expect(table.contains(#"<span class="status status-rejected">rejected</span></td><td></td>"#))
        #expect(table.contains(#"<th data-sort="time" scope="col">Registered</th>"#))
        #expect(html.contains(#"<input id="model-search" name="q" type="search" value="" autocomplete="off">"#))
        #expect(html.contains(#"<form id="model-search-form" class="search" method="get" action="/ui/models" role="search">"#))
        #expect(!html.contains("models-empty"))
    }

    @Test func theSearchKeepsTheModelsWhoseNameContainsTheQuery() throws {
        let found = ModelsPage.render(versions: versions, query: " SUPPORT ", context: context)
        #expect(found.contains(#"data-model="support-bot""#) && !found.contains(#"data-model="other-model""#))
        #expect(found.contains(#"value=" SUPPORT ""#))
        let none = ModelsPage.render(versions: versions, query: "<zzz>", context: context)
        #expect(!none.contains("data-model="))
        #expect(none.contains(#"<p id="models-empty" class="muted">No model name contains “&lt;zzz&gt;”.</p>"#))
        #expect(ModelsPage.render(versions: [], query: "", context: context).contains("No model is registered yet."))
    }

    @Test func aModelsPageListsItsVersionsNewestFirstAndItsAliasHistory() throws {
        let moves = [
            AliasMove(name: "support-bot", alias: .production, version: 1, previousVersion: nil, action: "promote", actor: "approver-a",
                      at: "2026-03-02T10:00:00.000Z"),
            AliasMove(name: "support-bot", alias: .staging, version: 2, previousVersion: 1, action: "promote", actor: "admin-z",
                      at: "2026-03-06T10:00:00.000Z"),
        ]
        let html = ModelPage.render(name: "support-bot", versions: Array(versions.prefix(2)), aliasMoves: moves, context: context)
        let table = try #require(UIPageSamples.element("table", id: "versions", in: html))
        let second = try #require(table.range(of: #"<tr data-version="2">"#))
        let first = try #require(table.range(of: #"<tr data-version="1">"#))
        #expect(second.lowerBound < first.lowerBound)
        #expect(table.contains(#"<tr data-version="1"><td class="num"><a href="/ui/models/support-bot/versions/1">1</a></td><td><span class="status status-approved">approved</span></td><td>trainer-t</td><td><time datetime="2026-03-01T10:00:00.000Z">2026-03-01 10:00 UTC</time></td><td>approver-a</td><td><time datetime="2026-03-02T09:30:00.000Z">2026-03-02 09:30 UTC</time></td><td><span class="verdict pass">passed</span></td><td><span class="alias">production</span></td></tr>"#))
        let aliases = try #require(UIPageSamples.section("aliases", in: html))
        let history = try #require(UIPageSamples.element("table", id: "alias-history", in: aliases))
        let newer = try #require(history.range(of: "staging → 2"))
        let older = try #require(history.range(of: "production → 1"))
        #expect(newer.lowerBound < older.lowerBound)
        #expect(history.contains(#"<td class="num"><a href="/ui/models/support-bot/versions/1">1</a></td><td>promote</td><td>admin-z</td>"#))
    }

    @Test func theAuditPageShowsEntriesTheCheckpointAndTheVerification() throws {
        let entries = [
            AuditEntry(seq: 1, at: "2026-03-01T10:00:00.000Z", actor: "server-admin", action: "user_add", subject: "alice", body: "{}",
                       leafHash: String(repeating: "c", count: 64)),
            AuditEntry(seq: 2, at: "2026-03-01T11:00:00.000Z", actor: "trainer-t", action: "register", subject: "support-bot@1", body: "{}",
                       leafHash: String(repeating: "d", count: 64)),
        ]
        let checkpoint = AuditCheckpoint(treeSize: 2, root: "e0e0", at: "2026-03-01T11:00:01.000Z", keyID: "key-1", signature: "sig")
        let ok = AuditPage.render(entries: entries, checkpoint: checkpoint,
                                  verification: AuditVerification(entries: 2, checkpoints: 1, root: "e0e0", firstBadEntry: nil, problem: nil),
                                  context: context)
        let table = try #require(UIPageSamples.element("table", id: "audit-log", in: ok))
        let latest = try #require(table.range(of: "<tr><td class=\"num\">2</td>"))
        let earliest = try #require(table.range(of: "<tr><td class=\"num\">1</td>"))
        #expect(latest.lowerBound < earliest.lowerBound)
        #expect(table.contains(#"<td><a href="/ui/models/support-bot/versions/1">support-bot@1</a></td>"#))
        #expect(table.contains("<td>alice</td>"))
        #expect(table.contains(#"<code title="\#(String(repeating: "d", count: 64))">dddddddddddd</code>"#))
        #expect(try #require(UIPageSamples.section("audit-verification", in: ok))
            .contains(#"<span id="audit-status" class="check pass">verified</span> 2 entries, 1 checkpoint, root <code>e0e0</code>"#))
        let facts = try #require(UIPageSamples.section("checkpoint", in: ok))
        #expect(facts.contains("<dt>Tree size</dt><dd>2</dd>") && facts.contains("<code>e0e0</code>") && facts.contains("<code>key-1</code>"))

        let broken = AuditVerification(entries: 2, checkpoints: 1, root: "f1", firstBadEntry: 2, problem: "entry 2 does not hash to its recorded leaf",
                                       stateProblems: ["support-bot@1 is approved but no entry approves it"])
        let bad = AuditPage.render(entries: entries, checkpoint: nil, verification: broken, context: context)
        let verification = try #require(UIPageSamples.section("audit-verification", in: bad))
        #expect(verification.contains(#"<span id="audit-status" class="check fail">failed</span>"#))
        #expect(verification.contains("<li>entry 2 does not hash to its recorded leaf</li><li>support-bot@1 is approved but no entry approves it</li>"))
        #expect(try #require(UIPageSamples.section("checkpoint", in: bad)).contains("No checkpoint has been signed yet."))
    }

    @Test func theStylesheetAndScriptCoverWhatThePagesUse() {
        for rule in ["@media (max-width:700px)", ":focus-visible", ".table-wrap{overflow-x:auto", ".status-pending_approval", ".status-approved",
                     ".status-rejected", ".status-archived", ".alias{", ".flash.done", ".flash.refused", ".chart .train", ".chart .validation-point", "code.hash{white-space:nowrap",
                     #"th[aria-sort="ascending"]"#] {
            #expect(StyleSheet.css.contains(rule), "\(rule)")
        }
        #expect(!StyleSheet.css.contains("@import") && !StyleSheet.css.contains("url("))
        for piece in [#"th[data-sort="time"]"#, "aria-sort", "getElementById(\"model-search\")", "getElementById(\"models\")", "data-model",
                      "datetime", "button.type = \"button\""] {
            #expect(PageScript.javaScript.contains(piece), "\(piece)")
        }
        for banned in ["eval(", "new Function", "innerHTML", "document.write", "http://", "https://"] {
            #expect(!PageScript.javaScript.contains(banned), "\(banned)")
        }
    }
}
