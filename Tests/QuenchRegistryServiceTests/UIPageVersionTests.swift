import Foundation
import Testing
@testable import QuenchRegistry
@testable import QuenchRegistryServer

/// The version page: gate checks and the before/after table from the recorded gate report (or a
/// notice when it no longer decodes), the loss curve, the signature, neighbours, and the forms per role.
@Suite struct UIPageVersionTests {
    private func render(_ version: ModelVersion, as user: RegistryIdentity = UIPageSamples.approver, signature: SignatureCheck = .verified,
                        versions: Int = 1, moves: [AliasMove] = []) -> String {
        VersionPage.render(UIPageSamples.page(version, signature: signature, versions: versions, moves: moves),
                           context: UIPageSamples.context(user))
    }

    @Test func theGateChecksAndTheEvaluationComeFromTheRecordedReport() throws {
        let html = render(UIPageSamples.version())
        let gate = try #require(UIPageSamples.section("gate", in: html))
        #expect(gate.contains(#"<span class="verdict pass">passed</span>"#))
        #expect(gate.contains(#"<p id="gate-reason">passed: all 2 checks held on 2 sets</p>"#))
        let checks = try #require(UIPageSamples.element("table", id: "gate-checks", in: gate))
        #expect(checks.components(separatedBy: "<tr class=\"pass\">").count == 3)
        #expect(checks.contains("<td>max_perplexity</td><td>chat&lt;eval&gt;</td><td>tuned perplexity</td><td class=\"num\">12.5</td><td class=\"num\">20</td>"))
        let evaluation = try #require(UIPageSamples.element("table", id: "evaluation", in: html))
        #expect(evaluation.contains(#"<td>chat&lt;eval&gt;</td><td>task</td><td>mean loss</td><td class="num">3</td><td class="num">2.5</td><td class="num">-0.5</td>"#))
        #expect(evaluation.contains(#"<td>perplexity</td><td class="num">20.09</td><td class="num">12.18</td><td class="num">-7.903</td>"#))
        #expect(evaluation.contains(#"<td>json</td><td>task</td><td>exact_match(strip) accuracy</td><td class="num">0.25</td><td class="num">0.75</td><td class="num">+0.5</td>"#))
    }

    @Test func aGateReportThatNoLongerDecodesIsShownAsUnreadable() throws {
        let html = render(UIPageSamples.version(gateReport: #"{"schema":"quench.gate/v1","passed":true}"#))
        let gate = try #require(UIPageSamples.section("gate", in: html))
        #expect(gate.contains("The gate report recorded with this version cannot be read: "))
        #expect(gate.contains("reason"))
        #expect(!html.contains(#"id="gate-checks""#))
        #expect(html.contains("No evaluation can be shown: the gate report cannot be read."))
        let list = ModelPage.render(name: "support-bot", versions: [UIPageSamples.version(gateReport: "not json")], aliasMoves: [],
                                    context: UIPageSamples.context(UIPageSamples.approver))
        #expect(list.contains(#"<span class="verdict unknown">unreadable</span>"#))
    }

    @Test func theLossCurveIsDrawnFromTheLineageOrSaidToBeMissing() throws {
        let curve = [LossPoint(step: 10, loss: 2.5), LossPoint(step: 20, loss: 2.0, validationLoss: 2.2), LossPoint(step: 30, loss: 1.5, validationLoss: 1.9)]
        let drawn = try #require(UIPageSamples.section("loss-curve", in: render(UIPageSamples.version(curve: curve))))
        #expect(drawn.contains(#"<svg xmlns="http://www.w3.org/2000/svg""#))
        #expect(drawn.contains(#"<polyline points="64.0,20.0 382.0,71.2 700.0,122.4" class="train"/>"#))
        #expect(drawn.contains(#"class="validation"/>"#))
        #expect(drawn.contains("<title>step 30: validation 1.9000</title>"))
        #expect(drawn.contains("3 recorded steps, from step 10 to 30."))
        for missing in [nil, [LossPoint]()] {
            let section = try #require(UIPageSamples.section("loss-curve", in: render(UIPageSamples.version(curve: missing))))
            #expect(section.contains("No training curve was recorded for this version."))
            #expect(!section.contains("<svg"))
        }
        let extreme = [LossPoint(step: Int.min, loss: 1), LossPoint(step: Int.max - 1, loss: 0.5), LossPoint(step: Int.max, loss: 0.25)]
        let wide = try #require(UIPageSamples.section("loss-curve", in: render(UIPageSamples.version(curve: extreme))))
        #expect(wide.contains(#"class="train"/>"#))
        #expect(!wide.contains("nan"))
    }

    @Test func theSignatureStatusAndTheBOMLinkAreShown() throws {
        let verified = try #require(UIPageSamples.section("signature", in: render(UIPageSamples.version(number: 3), versions: 3)))
        #expect(verified.contains(#"<span class="check pass"><span id="signature-status">verified</span></span>"#))
        #expect(verified.contains(String(repeating: "a", count: 64)))
        #expect(verified.contains(#"<a id="bom-download" href="/ui/models/support-bot/versions/3/bom" download>Download ML-BOM</a>"#))
        let failed = try #require(UIPageSamples.section("signature", in: render(UIPageSamples.version(), signature: .failed("model.sig does not verify"))))
        #expect(failed.contains(#"<span class="check fail"><span id="signature-status">failed: model.sig does not verify</span></span>"#))
    }

    @Test func theSummaryAndLineageShowWhoWhenAndFromWhat() throws {
        let html = render(UIPageSamples.version(status: .approved, note: "looks good\nship it", aliases: [.production]))
        let summary = try #require(UIPageSamples.section("summary", in: html))
        #expect(summary.contains(#"<span class="status status-approved">approved</span>"#))
        #expect(summary.contains(#"<span class="alias">production</span>"#))
        #expect(summary.contains(#"<time datetime="2026-03-02T09:30:00.000Z">2026-03-02 09:30 UTC</time>"#))
        #expect(summary.contains(#"<p id="decision-note" class="note">looks good"#))
        let lineage = try #require(UIPageSamples.section("lineage", in: html))
        for expected in ["HuggingFaceTB/SmolLM2-135M-Instruct", "<code>abc123</code>", String(repeating: "1", count: 64),
                         String(repeating: "2", count: 64), "<code class=\"hash\">sha256:ff</code>", String(repeating: "3", count: 64),
                         #"<tr><th scope="row">lr</th><td><code>0.0002</code></td></tr>"#,
                         #"<tr><th scope="row">rank</th><td><code>8</code></td></tr>"#, "<dd>trainer-t</dd>", "<dd>0.1.0</dd>"] {
            #expect(lineage.contains(expected), "\(expected)")
        }
    }

    @Test func previousAndNextLinkToTheNeighbouringVersions() throws {
        let middle = render(UIPageSamples.version(number: 2), versions: 3)
        #expect(middle.contains(#"<a id="previous-version" href="/ui/models/support-bot/versions/1">← version 1</a>"#))
        #expect(middle.contains(#"<a id="next-version" href="/ui/models/support-bot/versions/3">version 3 →</a>"#))
        #expect(middle.contains(#"<a id="model-link" href="/ui/models/support-bot">support-bot</a>"#))
        let only = render(UIPageSamples.version())
        #expect(!only.contains("previous-version") && !only.contains("next-version"))
    }

    @Test func theFormsFollowTheRolesAndTheVersionsState() throws {
        func forms(_ html: String) -> [String] {
            ["approve", "reject", "promote", "rollback", "archive"].filter { html.contains("<form id=\"\($0)\"") }
        }
        let move = AliasMove(name: "support-bot", alias: .staging, version: 1, previousVersion: nil, action: "promote",
                             actor: "approver-a", at: "2026-03-02T10:00:00.000Z")
        #expect(forms(render(UIPageSamples.version(), as: UIPageSamples.approver)) == ["approve", "reject"])
        #expect(forms(render(UIPageSamples.version(), as: UIPageSamples.trainer)) == [])
        #expect(render(UIPageSamples.version(), as: UIPageSamples.trainer).contains("Your roles allow no action on this version while it is pending_approval."))
        #expect(forms(render(UIPageSamples.version(status: .approved), as: UIPageSamples.approver)) == ["promote"])
        #expect(forms(render(UIPageSamples.version(status: .approved), as: UIPageSamples.approver, moves: [move])) == ["promote", "rollback"])
        #expect(forms(render(UIPageSamples.version(status: .approved), as: UIPageSamples.admin)) == ["promote", "archive"])
        #expect(forms(render(UIPageSamples.version(status: .archived), as: UIPageSamples.admin)) == [])

        let html = render(UIPageSamples.version(status: .approved), as: UIPageSamples.admin, moves: [move])
        #expect(html.contains(#"<form id="promote" method="post" action="/ui/models/support-bot/versions/1/promote" class="stacked action">"#))
        #expect(html.contains(#"<select id="promote-alias" name="alias"><option value="staging">staging</option><option value="production">production</option></select>"#))
        #expect(html.contains(#"<form id="rollback" method="post" action="/ui/models/support-bot/rollback" class="stacked action">"#))
        #expect(html.contains(#"<form id="archive" method="post" action="/ui/models/support-bot/versions/1/archive" class="stacked action">"#))
        #expect(html.contains(#"<textarea id="archive-note" name="note" rows="3" maxlength="4000"></textarea>"#))
        let pending = render(UIPageSamples.version(), as: UIPageSamples.approver)
        #expect(pending.contains(#"<form id="approve" method="post" action="/ui/models/support-bot/versions/1/approve" class="stacked action">"#))
        #expect(pending.contains(#"<label for="approve-note">Approve with a note</label>"#))
    }
}
