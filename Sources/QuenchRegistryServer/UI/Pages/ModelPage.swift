import QuenchRegistry

/// One model: its versions (status, who registered and decided, when, the gate's verdict, aliases
/// held), newest first, and the history of its aliases.
enum ModelPage {
    /// The whole document for model `name`, `versions` being its versions and `aliasMoves` its aliases' moves.
    static func render(name: String, versions: [ModelVersion], aliasMoves: [AliasMove], context: PageContext) -> String {
        let rows = versions.sorted { $0.version > $1.version }.map { version in
            "<tr data-version=\"\(version.version)\">"
                + PageHTML.cell(PageHTML.link(PageHTML.versionPath(name, version.version), String(version.version)), numeric: true)
                + PageHTML.cell(PageHTML.status(version.status))
                + PageHTML.cell(PageHTML.text(version.createdBy)) + PageHTML.cell(PageHTML.time(version.createdAt))
                + PageHTML.cell(PageHTML.text(version.decidedBy ?? "")) + PageHTML.cell(PageHTML.time(version.decidedAt))
                + PageHTML.cell(RecordedGate(version).verdict) + PageHTML.cell(PageHTML.aliases(version.aliases)) + "</tr>"
        }
        let headers = [PageHTML.Header("Version"), PageHTML.Header("Status"), PageHTML.Header("Registered by"),
                       PageHTML.Header("Registered", sortsByTime: true), PageHTML.Header("Decided by"),
                       PageHTML.Header("Decided", sortsByTime: true), PageHTML.Header("Gate"), PageHTML.Header("Aliases")]
        let main = """
            <p class="breadcrumb">\(PageHTML.link("/ui/models", "Models")) /</p>
            <h1>\(PageHTML.text(name))</h1>
            <section id="versions-section" aria-labelledby="versions-title"><h2 id="versions-title">Versions</h2>
            \(PageHTML.table(id: "versions", headers: headers, rows: rows))</section>
            \(PageHTML.section(id: "aliases", title: "Alias history", aliasHistory(name: name, moves: aliasMoves)))
            """
        return PageLayout.document(title: name, context: context, main: main)
    }

    /// The table of alias moves, newest first; shared with the version page.
    static func aliasHistory(name: String, moves: [AliasMove], id: String = "alias-history") -> String {
        guard !moves.isEmpty else { return "<p class=\"muted\">No alias has been set for this model.</p>" }
        let rows = moves.sorted { $0.at > $1.at }.map { move in
            "<tr>" + PageHTML.cell(PageHTML.time(move.at)) + PageHTML.cell(PageHTML.alias(move.alias, version: move.version))
                + PageHTML.cell(PageHTML.link(PageHTML.versionPath(name, move.version), String(move.version)), numeric: true)
                + PageHTML.cell(move.previousVersion.map { PageHTML.link(PageHTML.versionPath(name, $0), String($0)) } ?? "none", numeric: true)
                + PageHTML.cell(PageHTML.text(move.action)) + PageHTML.cell(PageHTML.text(move.actor)) + "</tr>"
        }
        let headers = [PageHTML.Header("At", sortsByTime: true), PageHTML.Header("Alias"), PageHTML.Header("Version"),
                       PageHTML.Header("Previous"), PageHTML.Header("Action"), PageHTML.Header("By")]
        return PageHTML.table(id: id, headers: headers, rows: rows)
    }
}
