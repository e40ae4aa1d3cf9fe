import QuenchRegistry

/// The audit log, newest first, with the latest signed checkpoint and whether the log verifies
/// against the checkpoints.
enum AuditPage {
    /// The whole document.
    static func render(entries: [AuditEntry], checkpoint: AuditCheckpoint?, verification: AuditVerification, context: PageContext) -> String {
        let rows = entries.sorted { $0.seq > $1.seq }.map { entry in
            "<tr>" + PageHTML.cell(String(entry.seq), numeric: true) + PageHTML.cell(PageHTML.time(entry.at))
                + PageHTML.cell(PageHTML.text(entry.actor)) + PageHTML.cell(PageHTML.text(entry.action)) + PageHTML.cell(subject(entry.subject))
                + PageHTML.cell("<code title=\"\(PageHTML.text(entry.leafHash))\">\(PageHTML.text(String(entry.leafHash.prefix(12))))</code>") + "</tr>"
        }
        let headers = [PageHTML.Header("#"), PageHTML.Header("At", sortsByTime: true), PageHTML.Header("By"),
                       PageHTML.Header("Action"), PageHTML.Header("Subject"), PageHTML.Header("Leaf hash")]
        let main = """
            <h1>Audit log</h1>
            \(PageHTML.section(id: "audit-verification", title: "Verification", verified(verification)))
            \(PageHTML.section(id: "checkpoint", title: "Latest signed checkpoint", checkpointFacts(checkpoint)))
            <section id="entries" aria-labelledby="entries-title"><h2 id="entries-title">Entries</h2>
            \(entries.isEmpty ? "<p class=\"muted\">The audit log is empty.</p>" : PageHTML.table(id: "audit-log", headers: headers, rows: rows))</section>
            """
        return PageLayout.document(title: "Audit log", context: context, main: main)
    }

    /// A link to the version page when the subject is `name@version`; other subjects (users) as text.
    private static func subject(_ subject: String) -> String {
        guard let reference = try? VersionReference(parsing: subject) else { return PageHTML.text(subject) }
        return PageHTML.link(PageHTML.versionPath(reference.name, reference.version), subject)
    }

    private static func verified(_ verification: AuditVerification) -> String {
        let counts = "\(PageHTML.count(verification.entries, "entry", "entries")), "
            + "\(PageHTML.count(verification.checkpoints, "checkpoint", "checkpoints")), root <code>\(PageHTML.text(verification.root))</code>"
        guard !verification.ok else {
            return "<p><span id=\"audit-status\" class=\"check pass\">verified</span> \(counts)</p>"
        }
        let problems = (verification.problem.map { [$0] } ?? []) + verification.stateProblems
        return "<p><span id=\"audit-status\" class=\"check fail\">failed</span> \(counts)</p><ul id=\"audit-problems\">"
            + problems.map { "<li>\(PageHTML.text($0))</li>" }.joined() + "</ul>"
    }

    private static func checkpointFacts(_ checkpoint: AuditCheckpoint?) -> String {
        guard let checkpoint else { return "<p class=\"muted\">No checkpoint has been signed yet.</p>" }
        return VersionPage.definitionList([
            ("Tree size", String(checkpoint.treeSize)), ("Root", "<code>\(PageHTML.text(checkpoint.root))</code>"),
            ("Signed at", PageHTML.time(checkpoint.at)), ("Key id", "<code>\(PageHTML.text(checkpoint.keyID))</code>"),
        ])
    }
}
