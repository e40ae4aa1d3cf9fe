import QuenchRegistry

/// The models list: one row per model name with its latest version, that version's status, the
/// aliases the model's versions hold and when the latest was registered; newest first, with a search box.
enum ModelsPage {
    /// The whole document; `query` (from `?q=`) keeps the models whose name contains it, ignoring case.
    static func render(versions: [ModelVersion], query: String, context: PageContext) -> String {
        let wanted = query.trimmingCharacters(in: .whitespaces).lowercased()
        let models = summaries(of: versions).filter { wanted.isEmpty || $0.name.lowercased().contains(wanted) }
        let rows = models.map { model in
            "<tr data-model=\"\(PageHTML.text(model.name))\">"
                + PageHTML.cell(PageHTML.link(PageHTML.modelPath(model.name), model.name))
                + PageHTML.cell(PageHTML.link(PageHTML.versionPath(model.name, model.latest.version), String(model.latest.version)), numeric: true)
                + PageHTML.cell(PageHTML.status(model.latest.status))
                + PageHTML.cell(model.aliases.map { PageHTML.alias($0.alias, version: $0.version) }.joined(separator: " "))
                + PageHTML.cell(PageHTML.time(model.latest.createdAt)) + "</tr>"
        }
        let headers = [PageHTML.Header("Model"), PageHTML.Header("Latest version"), PageHTML.Header("Status"),
                       PageHTML.Header("Aliases"), PageHTML.Header("Registered", sortsByTime: true)]
        let main = """
            <h1>Models</h1>
            <form id="model-search-form" class="search" method="get" action="/ui/models" role="search">
            <label for="model-search">Search models by name</label>
            <input id="model-search" name="q" type="search" value="\(PageHTML.text(query))" autocomplete="off">
            <button type="submit">Search</button>
            </form>
            \(PageHTML.table(id: "models", headers: headers, rows: rows))
            \(emptyNote(models: models.count, registered: versions.count, query: query))
            """
        return PageLayout.document(title: "Models", context: context, main: main)
    }

    /// What the list shows of one model.
    struct Summary {
        let name: String
        let latest: ModelVersion
        let aliases: [(alias: ModelAlias, version: Int)]
    }

    /// One summary per model name, the most recently registered first.
    static func summaries(of versions: [ModelVersion]) -> [Summary] {
        let byName = Dictionary(grouping: versions, by: \.name)
        let summaries = byName.compactMap { entry -> Summary? in
            let (name, versions) = entry
            guard let latest = versions.max(by: { $0.version < $1.version }) else { return nil }
            let aliases = versions.flatMap { version in version.aliases.map { (alias: $0, version: version.version) } }
                .sorted { $0.alias.rawValue < $1.alias.rawValue }
            return Summary(name: name, latest: latest, aliases: aliases)
        }
        return summaries.sorted { ($0.latest.createdAt, $1.name) > ($1.latest.createdAt, $0.name) }
    }

    private static func emptyNote(models: Int, registered: Int, query: String) -> String {
        guard models == 0 else { return "" }
        let message = registered == 0 ? "No model is registered yet." : "No model name contains “\(PageHTML.text(query))”."
        return "<p id=\"models-empty\" class=\"muted\">\(message)</p>"
    }
}
