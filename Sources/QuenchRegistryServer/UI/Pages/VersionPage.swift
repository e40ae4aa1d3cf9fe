import QuenchHTML
import QuenchRegistry

/// One version: its summary, lineage, gate checks, evaluation, training loss curve, signature and
/// ML-BOM, audit entries, links to its neighbours, and the actions the signed-in user's roles allow.
enum VersionPage {
    /// The whole document.
    static func render(_ data: VersionPageData, context: PageContext) -> String {
        let version = data.version
        let gate = RecordedGate(version)
        let main = """
            <p class="breadcrumb">\(PageHTML.link("/ui/models", "Models")) / \(PageHTML.link(PageHTML.modelPath(version.name), version.name, id: "model-link")) /</p>
            <h1>\(PageHTML.text(version.subject))</h1>
            \(neighbours(data))
            \(PageHTML.section(id: "summary", title: "Summary", summary(version)))
            \(actions(data, context: context))
            \(PageHTML.section(id: "lineage", title: "Lineage", lineage(version.lineage)))
            \(PageHTML.section(id: "gate", title: "Quality gate", gateSection(gate)))
            \(PageHTML.section(id: "evaluation-section", title: "Evaluation before and after", evaluation(gate)))
            \(PageHTML.section(id: "loss-curve", title: "Training loss", lossCurve(version.lineage.trainingCurve)))
            \(PageHTML.section(id: "signature", title: "Signature and ML-BOM", signature(data)))
            \(PageHTML.section(id: "audit", title: "Audit entries", audit(data.audit)))
            """
        return PageLayout.document(title: version.subject, context: context, main: main)
    }

    /// Links to the previous and next version of the model, when there are such.
    private static func neighbours(_ data: VersionPageData) -> String {
        let number = data.version.version
        let earlier = data.versionNumbers.filter { $0 < number }.max()
        let later = data.versionNumbers.filter { $0 > number }.min()
        var links: [String] = []
        if let earlier { links.append(PageHTML.link(PageHTML.versionPath(data.version.name, earlier), "← version \(earlier)", id: "previous-version")) }
        if let later { links.append(PageHTML.link(PageHTML.versionPath(data.version.name, later), "version \(later) →", id: "next-version")) }
        guard !links.isEmpty else { return "" }
        return "<nav class=\"version-nav\" aria-label=\"Other versions\">\(links.joined(separator: " "))</nav>"
    }

    private static func summary(_ version: ModelVersion) -> String {
        var rows: [(String, String)] = [
            ("Status", PageHTML.status(version.status)),
            ("Aliases", version.aliases.isEmpty ? "none" : PageHTML.aliases(version.aliases)),
            ("Registered by", PageHTML.text(version.createdBy)), ("Registered at", PageHTML.time(version.createdAt)),
            ("Decided by", PageHTML.text(version.decidedBy ?? "not decided yet")), ("Decided at", PageHTML.time(version.decidedAt)),
        ]
        if let reason = version.reviewReason { rows.append(("Flagged for review", "<span class=\"flag\">\(PageHTML.text(reason))</span>")) }
        var html = definitionList(rows)
        if let note = version.decisionNote, !note.isEmpty {
            html += "<h3>Decision note</h3><p id=\"decision-note\" class=\"note\">\(PageHTML.text(note))</p>"
        }
        return html
    }

    /// A `<dl>` of terms (text) and their already-built HTML values.
    static func definitionList(_ rows: [(String, String)]) -> String {
        "<dl class=\"facts\">" + rows.map { "<dt>\(PageHTML.text($0.0))</dt><dd>\($0.1)</dd>" }.joined() + "</dl>"
    }

    private static func lossCurve(_ curve: [LossPoint]?) -> String {
        guard let curve, !curve.isEmpty else { return "<p class=\"muted\">No training curve was recorded for this version.</p>" }
        let chart = LossChartSVG.render(curve.map { LossChartSVG.Point(step: $0.step, loss: $0.loss, validationLoss: $0.validationLoss) })
        return "<figure class=\"chart-figure\">\(chart)<figcaption>\(PageHTML.count(curve.count, "recorded step", "recorded steps")), from step \(curve[0].step) to \(curve[curve.count - 1].step).</figcaption></figure>"
    }

    private static func signature(_ data: VersionPageData) -> String {
        let status: String
        switch data.signature {
        case .verified: status = "<span class=\"check pass\"><span id=\"signature-status\">verified</span></span>"
        case .failed(let reason): status = "<span class=\"check fail\"><span id=\"signature-status\">failed: \(PageHTML.text(reason))</span></span>"
        }
        let bom = PageHTML.versionPath(data.version.name, data.version.version) + "/bom"
        return definitionList([
            ("Signature check", status),
            ("Signature sha256", "<code>\(PageHTML.text(data.version.signatureSHA256))</code>"),
            ("ML-BOM", "<a id=\"bom-download\" href=\"\(PageHTML.text(bom))\" download>Download ML-BOM</a> (CycloneDX JSON)"),
        ])
    }

    private static func audit(_ entries: [AuditEntry]) -> String {
        guard !entries.isEmpty else { return "<p class=\"muted\">No audit entry names this version.</p>" }
        let rows = entries.sorted { $0.seq > $1.seq }.map { entry in
            "<tr>" + PageHTML.cell(String(entry.seq), numeric: true) + PageHTML.cell(PageHTML.time(entry.at))
                + PageHTML.cell(PageHTML.text(entry.actor)) + PageHTML.cell(PageHTML.text(entry.action))
                + PageHTML.cell("<code class=\"json\">\(PageHTML.text(entry.body))</code>") + "</tr>"
        }
        let headers = [PageHTML.Header("#"), PageHTML.Header("At", sortsByTime: true), PageHTML.Header("By"),
                       PageHTML.Header("Action"), PageHTML.Header("Details")]
        return PageHTML.table(id: "version-audit", headers: headers, rows: rows)
    }
}
