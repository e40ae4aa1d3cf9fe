import QuenchRegistry

extension VersionPage {
    /// Base model (source, commit, files with sha256), datasets (sha256, records, fingerprint), the job
    /// spec's sha256, the hyperparameters as a key/value table, who trained it and with which Quench.
    static func lineage(_ lineage: Lineage) -> String {
        var facts: [(String, String)] = [("Base model", PageHTML.text(lineage.baseModel.source))]
        if let commit = lineage.baseModel.commit { facts.append(("Base model commit", "<code>\(PageHTML.text(commit))</code>")) }
        if let architecture = lineage.architecture { facts.append(("Architecture", PageHTML.text(architecture))) }
        facts.append(("Job spec sha256", lineage.jobSpecSHA256.map { "<code>\(PageHTML.text($0))</code>" } ?? "not recorded"))
        facts.append(("Trained by", PageHTML.text(lineage.trainedBy ?? "not recorded")))
        facts.append(("Quench version", PageHTML.text(lineage.quenchVersion)))
        let files = lineage.baseModel.files.map { file in
            "<tr>" + PageHTML.cell(PageHTML.text(file.path)) + PageHTML.cell(PageHTML.hash(file.sha256)) + "</tr>"
        }
        let datasets = lineage.datasets.map { dataset in
            "<tr>" + PageHTML.cell(PageHTML.text(dataset.path)) + PageHTML.cell(PageHTML.hash(dataset.sha256))
                + PageHTML.cell(String(dataset.records), numeric: true)
                + PageHTML.cell(dataset.fingerprint.map(PageHTML.hash) ?? "none") + "</tr>"
        }
        return definitionList(facts)
            + "<h3>Base model files</h3>" + PageHTML.table(id: "base-model-files", headers: [PageHTML.Header("File"), PageHTML.Header("sha256")], rows: files)
            + "<h3>Datasets</h3>" + PageHTML.table(
                id: "datasets", headers: [PageHTML.Header("Dataset"), PageHTML.Header("sha256"), PageHTML.Header("Records"), PageHTML.Header("Fingerprint")],
                rows: datasets)
            + "<h3>Hyperparameters</h3>" + hyperparameters(lineage.hyperparameters)
    }

    /// An object's fields as rows, nested values as their canonical JSON; anything else as one value.
    private static func hyperparameters(_ value: JSONValue) -> String {
        guard case .object(let fields) = value else { return "<p><code>\(PageHTML.text(value.canonical))</code></p>" }
        let rows = fields.sorted { $0.key < $1.key }.map { field in
            "<tr><th scope=\"row\">\(PageHTML.text(field.key))</th>"
                + PageHTML.cell("<code>\(PageHTML.text(field.value.stringValue ?? field.value.canonical))</code>") + "</tr>"
        }
        return PageHTML.table(id: "hyperparameters", headers: [PageHTML.Header("Setting"), PageHTML.Header("Value")], rows: rows)
    }
}
