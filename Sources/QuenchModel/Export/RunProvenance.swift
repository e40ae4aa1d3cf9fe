import Foundation
import QuenchFiles

/// What the Quench run that trained an adapter or a model recorded about it (the run folder's
/// report.json, schema quench.report/v1): lineage, gate results, signature and registry entry, as
/// model card sections. Claimed only for the very files the run recorded. The sections name files
/// and folders, never their paths: a card is written to be published.
public struct RunProvenance: Sendable, Equatable {
    /// The run folder holding report.json.
    public let runDirectory: URL
    /// Lineage, gate, signature and registry sections; when `mismatch` is set, one Lineage
    /// section saying that no lineage is claimed, and why.
    public let sections: [ModelCard.Section]
    /// Why the run's records do not apply, with full paths (for the terminal): a file read from the
    /// artifacts differs from what the run recorded, the base model is not the one the run trained
    /// on, or the run's report.json cannot be read or lacks a key.
    public let mismatch: String?

    /// The provenance of `artifacts` when it is what a Quench run trained (its `train/adapter` or
    /// `train/model` folder, named by the report.json two folders up as its `training.artifacts`);
    /// nil otherwise. The run's records are claimed only when each file of `read` (the files taken
    /// from `artifacts`) is one the run recorded, with the sha256 `digest` gives, and each of
    /// `baseFiles` (the base model an adapter is merged into) is one of the base model files the run
    /// recorded; else, and when this run's record lacks a key, `mismatch` says why.
    public static func find(artifacts: URL, read: [URL], baseFiles: [URL] = [],
                            digest: (URL) throws -> String) -> RunProvenance? {
        let artifacts = artifacts.standardizedFileURL.resolvingSymlinksInPath()
        let folder = artifacts.deletingLastPathComponent().deletingLastPathComponent()
        let reportURL = folder.appendingPathComponent("report.json")
        let data: Data
        do {
            data = try RegularFile.contents(of: reportURL.path, limit: reportLimit)
        } catch .missing {
            return nil
        } catch {
            return RunProvenance(folder: folder, mismatch: .unreadableRecord(reason: error.reason))
        }
        guard let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              report["schema"] as? String == schema, let training = report["training"] as? [String: Any],
              let recordedArtifacts = training["artifacts"] as? String
        else { return nil }
        let record = RunRecord(report, folder: folder)
        guard record.relocated(recordedArtifacts) == artifacts.path else { return nil }
        do throws(RunMismatch) {
            if let mismatch = try record.firstUnrecorded(read, in: training, digest: digest) {
                return RunProvenance(folder: folder, mismatch: mismatch)
            }
            if let mismatch = try record.unrecordedBaseFile(baseFiles, digest: digest) {
                return RunProvenance(folder: folder, mismatch: mismatch)
            }
        } catch {
            return RunProvenance(folder: folder, mismatch: error)
        }
        return RunProvenance(runDirectory: folder, sections: record.sections(training: training), mismatch: nil)
    }

    /// Provenance claiming no lineage, because of `mismatch`.
    private init(folder: URL, mismatch: RunMismatch) {
        let named = mismatch.text(run: folder) { URL(fileURLWithPath: $0).lastPathComponent }
        self.init(runDirectory: folder, sections: [ModelCard.Section("Lineage", ["No run lineage is claimed: \(named)."])],
                  mismatch: mismatch.text(run: folder) { $0 })
    }

    private init(runDirectory: URL, sections: [ModelCard.Section], mismatch: String?) {
        self.runDirectory = runDirectory
        self.sections = sections
        self.mismatch = mismatch
    }

    /// The report schema this reads.
    static let schema = "quench.report/v1"

    /// Largest report.json read: a run's is a few kilobytes, its file lists growing with the model's shards.
    static let reportLimit = 16 << 20
}

/// Why a run's records do not describe the files read.
private enum RunMismatch: Error {
    /// A file read is not one the run recorded.
    case unrecorded(path: String)
    /// A file read is not the one the run recorded under its path.
    case changed(path: String, sha256: String)
    /// A base model file is none of those the run trained on.
    case otherBase(path: String)
    /// report.json could not be read.
    case unreadableRecord(reason: String)
    /// This run's report.json lacks `key` or holds the wrong type there.
    case invalidRecord(key: String, reason: String)

    /// The reason, naming the run folder `run` and each file through `name` (a path, or a file name
    /// for a card).
    func text(run: URL, name: (String) -> String) -> String {
        let folder = name(run.path)
        switch self {
        case .unrecorded(let path): return "run \(folder) recorded no \(name(path))"
        case .changed(let path, let sha256): return "\(name(path)) is not the file run \(folder) recorded (sha256 \(sha256))"
        case .otherBase(let path): return "the base model's \(name(path)) is none of the files run \(folder) trained on"
        case .unreadableRecord(let reason): return "report.json in \(folder) cannot be read: \(reason)"
        case .invalidRecord(let key, let reason):
            return "run \(folder)'s report.json has no usable \(key) (\(reason)), so it cannot describe these files"
        }
    }
}

/// A run's report.json, with its paths moved to where the run folder is now.
private struct RunRecord {
    let report: [String: Any]
    let folder: URL
    /// The run folder the report was written in.
    let recordedFolder: String?

    init(_ report: [String: Any], folder: URL) {
        self.report = report
        self.folder = folder
        recordedFolder = report["run_directory"] as? String
    }

    /// `path` as recorded, moved under the run folder's current place when it was under the recorded one.
    func relocated(_ path: String) -> String {
        guard let recordedFolder, path.hasPrefix(recordedFolder + "/") else { return path }
        return folder.appendingPathComponent(String(path.dropFirst(recordedFolder.count + 1))).path
    }

    /// `path` as a card names it: relative to the run folder when inside it, else its last component.
    func named(_ path: String) -> String {
        let moved = relocated(path), prefix = folder.path + "/"
        return moved.hasPrefix(prefix) ? String(moved.dropFirst(prefix.count)) : URL(fileURLWithPath: moved).lastPathComponent
    }

    func string(_ object: [String: Any], _ key: String, at parent: String) throws(RunMismatch) -> String {
        guard let value = object[key] as? String else {
            throw .invalidRecord(key: "\(parent).\(key)", reason: "expected a string")
        }
        return value
    }

    /// The first of `read` that is not a file the run recorded among what it trained, or whose
    /// contents changed since; nil when every one is as recorded.
    func firstUnrecorded(_ read: [URL], in training: [String: Any],
                         digest: (URL) throws -> String) throws(RunMismatch) -> RunMismatch? {
        guard let files = training["files"] as? [[String: Any]] else {
            throw .invalidRecord(key: "training.files", reason: "expected an array of objects")
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
            guard let sha256 = recorded[path] else { return .unrecorded(path: path) }
            guard (try? digest(url)) == sha256 else { return .changed(path: path, sha256: sha256) }
        }
        return nil
    }

    /// The first of `baseFiles` whose contents are none of the base model files the run recorded.
    func unrecordedBaseFile(_ baseFiles: [URL], digest: (URL) throws -> String) throws(RunMismatch) -> RunMismatch? {
        guard !baseFiles.isEmpty else { return nil }
        guard let model = report["model"] as? [String: Any], let files = model["files"] as? [[String: Any]] else {
            throw .invalidRecord(key: "model.files", reason: "expected an array of objects")
        }
        var recorded: Set<String> = []
        for index in files.indices { recorded.insert(try string(files[index], "sha256", at: "model.files[\(index)]")) }
        for url in baseFiles where !recorded.contains((try? digest(url)) ?? "") {
            return .otherBase(path: url.path)
        }
        return nil
    }

    /// Lineage, then the gate's checks, the signature and the registry entry when the run got that far.
    func sections(training: [String: Any]) -> [ModelCard.Section] {
        var lineage = ["- Run: `\(folder.lastPathComponent)` (job `\(report["job"] as? String ?? "?")`, \(report["status"] as? String ?? "?"))"]
        if let spec = report["spec_sha256"] as? String { lineage.append("- Job spec sha256: `\(spec)`") }
        if let model = report["model"] as? [String: Any] {
            if let repo = model["repo"] as? String {
                let commit = (model["commit"] as? String).map { " at commit `\($0)`" } ?? ""
                lineage.append("- Base model: \(repo)\(commit)")
            } else {
                let location = (model["location"] as? String).map { "`\(URL(fileURLWithPath: $0).lastPathComponent)`" } ?? "?"
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
            if let path = signature["signature"] as? String { lines.append("- Signature: `\(named(path))` in the run folder") }
            if let sha = signature["sha256"] as? String { lines.append("- Signature sha256: `\(sha)`") }
            if let root = signature["rootDigest"] as? String { lines.append("- Signed content (root digest): `\(root)`") }
            if let key = signature["keyFingerprint"] as? String { lines.append("- Key fingerprint: `\(key)`") }
            sections.append(ModelCard.Section("Signature", lines))
        }
        if let registry = report["registry"] as? [String: Any], let name = registry["name"] as? String {
            let version = (registry["version"] as? Int).map { "@\($0)" } ?? ""
            let status = (registry["status"] as? String).map { " (\($0))" } ?? ""
            // A registry server by its address; a local registry only as such (its path names the user's home).
            let place = (registry["server"] as? String).map { " in `\($0)`" } ?? (registry["registry"] != nil ? " in a local registry" : "")
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
