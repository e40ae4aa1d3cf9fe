import Foundation

/// What the Quench run that trained an adapter or a model recorded about it (the run folder's
/// report.json, schema quench.report/v1): lineage, gate results, signature and registry entry, as
/// model card sections. Claimed only for the very files the run recorded.
public struct RunProvenance: Sendable, Equatable {
    /// The run folder holding report.json.
    public let runDirectory: URL
    /// Lineage, gate, signature and registry sections; when `mismatch` is set, one Lineage
    /// section saying that no lineage is claimed, and why.
    public let sections: [ModelCard.Section]
    /// Why the run's records do not apply: a file read from the artifacts differs from what the run
    /// recorded, or the base model is not the one the run trained on.
    public let mismatch: String?

    /// The provenance of `artifacts` when it is what a Quench run trained (its `train/adapter` or
    /// `train/model` folder); nil otherwise. The run's records are claimed only when each file of
    /// `read` (the files taken from `artifacts`) is one the run recorded, with the sha256 `digest`
    /// gives, and each of `baseFiles` (the base model an adapter is merged into) is one of the base
    /// model files the run recorded.
    /// - Throws: `ExportError.invalidRunRecord` for a report.json of the run schema missing a key.
    public static func find(artifacts: URL, read: [URL], baseFiles: [URL] = [],
                            digest: (URL) throws -> String) throws -> RunProvenance? {
        let artifacts = artifacts.standardizedFileURL.resolvingSymlinksInPath()
        let folder = artifacts.deletingLastPathComponent().deletingLastPathComponent()
        let reportURL = folder.appendingPathComponent("report.json")
        guard let data = try? Data(contentsOf: reportURL),
              let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              report["schema"] as? String == schema
        else { return nil }
        let record = RunRecord(report, file: reportURL.path, folder: folder)
        guard let training = report["training"] as? [String: Any],
              record.relocated(try record.string(training, "artifacts", at: "training")) == artifacts.path
        else { return nil }
        if let mismatch = try record.firstUnrecorded(read, in: training, digest: digest)
            ?? record.unrecordedBaseFile(baseFiles, digest: digest) {
            let note = ModelCard.Section("Lineage", ["No run lineage is claimed: \(mismatch)."])
            return RunProvenance(runDirectory: folder, sections: [note], mismatch: mismatch)
        }
        return RunProvenance(runDirectory: folder, sections: try record.sections(training: training), mismatch: nil)
    }

    /// The report schema this reads.
    static let schema = "quench.report/v1"
}

/// A run's report.json, with its paths moved to where the run folder is now.
private struct RunRecord {
    let report: [String: Any]
    let file: String
    let folder: URL
    /// The run folder the report was written in.
    let recordedFolder: String?

    init(_ report: [String: Any], file: String, folder: URL) {
        self.report = report
        self.file = file
        self.folder = folder
        recordedFolder = report["run_directory"] as? String
    }

    /// `path` as recorded, moved under the run folder's current place when it was under the recorded one.
    func relocated(_ path: String) -> String {
        guard let recordedFolder, path.hasPrefix(recordedFolder + "/") else { return path }
        return folder.appendingPathComponent(String(path.dropFirst(recordedFolder.count + 1))).path
    }

    func string(_ object: [String: Any], _ key: String, at parent: String) throws -> String {
        guard let value = object[key] as? String else {
            throw ExportError.invalidRunRecord(file: file, key: "\(parent).\(key)", reason: "expected a string")
        }
        return value
    }

    /// The first of `read` that is not a file the run recorded among what it trained, or whose
    /// contents changed since, described; nil when every one is as recorded.
    func firstUnrecorded(_ read: [URL], in training: [String: Any], digest: (URL) throws -> String) throws -> String? {
        guard let files = training["files"] as? [[String: Any]] else {
            throw ExportError.invalidRunRecord(file: file, key: "training.files", reason: "expected an array of objects")
        }
        var recorded: [String: String] = [:]
        for (index, entry) in files.enumerated() {
            recorded[relocated(try string(entry, "path", at: "training.files[\(index)]"))] =
                try string(entry, "sha256", at: "training.files[\(index)]")
        }
        for url in read {
            // The folder resolved as the run folder was; the file itself may be a link (a hub snapshot's are).
            let path = url.standardizedFileURL.deletingLastPathComponent().resolvingSymlinksInPath()
                .appendingPathComponent(url.lastPathComponent).path
            guard let sha256 = recorded[path] else { return "run \(folder.path) recorded no \(path)" }
            guard (try? digest(url)) == sha256 else {
                return "\(path) is not the file run \(folder.path) recorded (sha256 \(sha256))"
            }
        }
        return nil
    }

    /// The first of `baseFiles` whose contents are none of the base model files the run recorded, described.
    func unrecordedBaseFile(_ baseFiles: [URL], digest: (URL) throws -> String) throws -> String? {
        guard let model = report["model"] as? [String: Any], let files = model["files"] as? [[String: Any]] else {
            throw ExportError.invalidRunRecord(file: file, key: "model.files", reason: "expected an array of objects")
        }
        let recorded = Set(try files.indices.map { try string(files[$0], "sha256", at: "model.files[\($0)]") })
        for url in baseFiles where !recorded.contains((try? digest(url)) ?? "") {
            return "the base model's \(url.path) is none of the files run \(folder.path) trained on"
        }
        return nil
    }

    /// Lineage, then the gate's checks, the signature and the registry entry when the run got that far.
    func sections(training: [String: Any]) throws -> [ModelCard.Section] {
        var lineage = ["- Run: `\(folder.path)` (job `\(report["job"] as? String ?? "?")`, \(report["status"] as? String ?? "?"))"]
        if let spec = report["spec_sha256"] as? String { lineage.append("- Job spec sha256: `\(spec)`") }
        if let model = report["model"] as? [String: Any] {
            let location = (model["location"] as? String).map { "`\($0)`" } ?? "?"
            if let repo = model["repo"] as? String {
                let commit = (model["commit"] as? String).map { " at commit `\($0)`" } ?? ""
                lineage.append("- Base model: \(repo)\(commit), read from \(location)")
            } else {
                lineage.append("- Base model: \(location)")
            }
            for entry in model["files"] as? [[String: Any]] ?? [] {
                if let path = entry["path"] as? String, let sha = entry["sha256"] as? String {
                    lineage.append("  - `\(URL(fileURLWithPath: path).lastPathComponent)` sha256 `\(sha)`")
                }
            }
        }
        if let summary = training["summary"] as? [String: Any] {
            var figures = ["\(training["method"] as? String ?? "?")"]
            if let steps = summary["steps"] as? Int { figures.append("\(steps) steps") }
            if let loss = summary["finalLoss"] as? Double { figures.append("final loss \(loss)") }
            if let loss = summary["validationLoss"] as? Double { figures.append("validation loss \(loss)") }
            lineage.append("- Training: " + figures.joined(separator: ", "))
        }
        if let version = report["quench_version"] as? String { lineage.append("- Quench version: \(version)") }
        var sections = [ModelCard.Section("Lineage", lineage)]
        if let gate = report["gate"] as? [String: Any] { sections.append(gateSection(gate)) }
        if let signature = report["signature"] as? [String: Any] {
            var lines = ["The run signed the files it trained; the files of this folder are derived from them and not "
                + "covered by this signature.", ""]
            if let path = signature["signature"] as? String { lines.append("- Signature: `\(relocated(path))`") }
            if let sha = signature["sha256"] as? String { lines.append("- Signature sha256: `\(sha)`") }
            if let root = signature["rootDigest"] as? String { lines.append("- Signed content (root digest): `\(root)`") }
            if let key = signature["keyFingerprint"] as? String { lines.append("- Key fingerprint: `\(key)`") }
            sections.append(ModelCard.Section("Signature", lines))
        }
        if let registry = report["registry"] as? [String: Any], let name = registry["name"] as? String {
            let version = (registry["version"] as? Int).map { "@\($0)" } ?? ""
            let status = (registry["status"] as? String).map { " (\($0))" } ?? ""
            let place = (registry["server"] as? String ?? registry["registry"] as? String).map { " in `\($0)`" } ?? ""
            sections.append(ModelCard.Section("Registry", ["- Registered as `\(name)\(version)`\(status)\(place)"]))
        }
        return sections
    }

    /// The gate's verdict and each check as a table row.
    private func gateSection(_ gate: [String: Any]) -> ModelCard.Section {
        let passed = gate["passed"] as? Bool ?? false
        var lines = ["- Passed: \(passed ? "yes" : "no")", "- Reason: \(gate["reason"] as? String ?? "none recorded")", "",
                     "| Check | Set | Metric | Value | Threshold | Held |", "|---|---|---|---|---|---|"]
        for check in gate["checks"] as? [[String: Any]] ?? [] {
            let cells = ["name", "set", "metric", "value", "threshold"].map { key in
                check[key].map { "\($0)".replacingOccurrences(of: "|", with: "\\|") } ?? ""
            }
            lines.append("| " + (cells + [(check["passed"] as? Bool ?? false) ? "yes" : "no"]).joined(separator: " | ") + " |")
        }
        return ModelCard.Section("Gate", lines)
    }
}
