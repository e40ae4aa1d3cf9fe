/// The controls of the compliance report, each built from the facts of one stage.
enum ComplianceControls {
    /// Every control, in pipeline order.
    static func all(from facts: ComplianceFacts) -> [ComplianceControl] {
        [source(facts.source), loading(facts.loading), dataScan(facts.dataScan),
         datasetChecks(facts.datasetChecks, overlap: facts.validationOverlap), fingerprints(facts.fingerprints),
         training(facts.training), gate(facts.gate), signature(facts.signature), registry(facts.registry)]
    }

    private static func control(_ id: String, _ title: String, _ passed: Bool?, _ evidence: [String: String]) -> ComplianceControl {
        let status: ComplianceStatus = passed.map { $0 ? .pass : .fail } ?? .notRun
        return ComplianceControl(id: id, title: title, status: status,
                                 evidence: passed == nil ? ["reason": "the stage did not run"] : evidence)
    }

    static func source(_ source: ComplianceFacts.Source?) -> ComplianceControl {
        var evidence = ["repository": source?.repository ?? "", "commit": source?.commit ?? "(not pinned)",
                        "verified": String(source?.verified ?? false)]
        for (file, hash) in source?.files ?? [:] { evidence["sha256 \(file)"] = hash }
        let passed = source.map { $0.verified && $0.commit != nil && !$0.files.isEmpty }
        return control("source-verified", "Source verified (repository, commit, file hashes)", passed, evidence)
    }

    static func loading(_ loading: ComplianceFacts.Loading?) -> ComplianceControl {
        let evidence = ["formats": loading?.formats.joined(separator: ", ") ?? "",
                        "pickle loaded": String(loading?.pickleLoaded ?? false),
                        "remote code run": String(loading?.remoteCodeLoaded ?? false)]
        let passed = loading.map { !$0.pickleLoaded && !$0.remoteCodeLoaded }
        return control("no-executable-content", "No pickle or code loaded", passed, evidence)
    }

    static func dataScan(_ report: DataScanReport?) -> ComplianceControl {
        var evidence = ["files": report?.files.map(\.file).joined(separator: ", ") ?? "",
                        "records": String(report?.files.reduce(0) { $0 + $1.records } ?? 0),
                        "findings": String(report?.totalFindings ?? 0),
                        "forbidden findings": String(report?.blockingCount ?? 0)]
        for (kind, count) in report?.counts ?? [:] {
            evidence["kind \(kind)"] = "\(count) (\(report?.actions[kind]?.rawValue ?? "fail"))"
        }
        for (kind, action) in report?.actions ?? [:] where evidence["kind \(kind)"] == nil {
            evidence["kind \(kind)"] = "0 (\(action.rawValue))"
        }
        return control("data-scanned", "Data scanned for personal data and secrets, policy applied", report?.passed, evidence)
    }

    static func datasetChecks(_ reports: [DatasetCheckReport]?, overlap: Int?) -> ComplianceControl {
        var evidence: [String: String] = [:]
        for report in reports ?? [] {
            let issues = report.issueCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            evidence[report.file] = "\(report.records) records, \(report.exactDuplicates) exact and "
                + "\(report.nearDuplicates) near duplicates, issues: \(issues.isEmpty ? "none" : issues.joined(separator: ", "))"
        }
        if let overlap { evidence["train/validation overlap"] = String(overlap) }
        let passed = reports.map { $0.allSatisfy(\.passed) && !$0.isEmpty && (overlap ?? 0) == 0 }
        return control("dataset-checks", "Datasets valid, no empty or over-long records, no train/validation overlap",
                       passed, evidence)
    }

    static func fingerprints(_ fingerprints: [String: CanonicalFingerprint]?) -> ComplianceControl {
        let evidence = (fingerprints ?? [:]).mapValues { "\($0) (\($0.records) records, \($0.format.rawValue))" }
        return control("dataset-fingerprints", "Dataset fingerprints recorded", fingerprints.map { !$0.isEmpty }, evidence)
    }

    static func training(_ training: ComplianceFacts.Training?) -> ComplianceControl {
        var evidence = training?.settings ?? [:]
        evidence["config hash"] = training?.configHash ?? "(none)"
        return control("training-config", "Training configuration recorded", training.map { $0.configHash != nil }, evidence)
    }

    static func gate(_ gate: ComplianceFacts.Gate?) -> ComplianceControl {
        control("evaluation-gate", "Evaluation run and quality gates passed", gate?.passed, gate?.metrics ?? [:])
    }

    static func signature(_ signature: ComplianceFacts.Signature?) -> ComplianceControl {
        let evidence = ["signed": String(signature?.signed ?? false), "verified": String(signature?.verified ?? false),
                        "signer": signature?.signer ?? "", "digest": signature?.digest ?? ""]
        return control("signature", "Artifact signed and signature verified", signature.map { $0.signed && $0.verified }, evidence)
    }

    static func registry(_ registry: ComplianceFacts.Registry?) -> ComplianceControl {
        let evidence = ["model": registry?.model ?? "", "version": registry?.version ?? "(none)", "state": registry?.state ?? ""]
        return control("registry", "Artifact registered", registry.map { $0.version != nil }, evidence)
    }
}
