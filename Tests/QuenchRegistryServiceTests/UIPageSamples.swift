import Foundation
@testable import QuenchRegistry
@testable import QuenchRegistryServer

/// Versions, gate reports and contexts for the page renderers' tests: no server, just the HTML.
enum UIPageSamples {
    static let approver = RegistryIdentity(name: "approver-a", roles: [.approver], method: .apiToken)
    static let trainer = RegistryIdentity(name: "trainer-t", roles: [.trainer], method: .apiToken)
    static let admin = RegistryIdentity(name: "admin-z", roles: [.admin], method: .apiToken)
    static let csrf = "csrf-token-0123456789"

    /// A context for `user` with the sample CSRF token and an optional flash.
    static func context(_ user: RegistryIdentity?, flash: Flash? = nil) -> PageContext {
        PageContext(user: user, csrf: csrf, flash: flash)
    }

    /// A gate report with one loss set and one generative set, as `quench eval --gate` writes it.
    static let gateReport = """
        {"schema":"quench.gate/v1","passed":true,"reason":"passed: all 2 checks held on 2 sets","quench_version":"0.1.0",
        "windowing":"disjoint","context":512,"gate":"/runs/gate.yaml","base_model":"/models/base.gguf","tuned":"/runs/adapter",
        "tuned_kind":"adapter","evaluated_at":"2026-01-01T00:00:00Z",
        "checks":[{"name":"max_perplexity","set":"chat<eval>","metric":"tuned perplexity","threshold":20,"value":12.5,"passed":true},
                  {"name":"min_accuracy","set":"json","metric":"tuned exact_match accuracy","threshold":0.5,"value":0.75,"passed":true}],
        "files":[],
        "results":[{"role":"task","format":"txt","comparison":{"name":"chat<eval>","path":"/data/chat.txt",
          "base":{"windowing":"disjoint","context":512,"summed_nll":300,"tokens_scored":100,"mean_loss":3,"perplexity":20.0855,"standard_error":0.1,"windows":1,"window_positions":101,"seconds":1,"tokens_per_second":101},
          "tuned":{"windowing":"disjoint","context":512,"summed_nll":250,"tokens_scored":100,"mean_loss":2.5,"perplexity":12.1825,"standard_error":0.1,"windows":1,"window_positions":101,"seconds":1,"tokens_per_second":101},
          "loss_change":-0.5,"relative_loss_change":-0.1667,"perplexity_change":-7.903}}],
        "tasks":[{"name":"json","role":"task","path":"/data/json.jsonl","metrics":[{"name":"exact_match"}],"max_new_tokens":32,
          "base":[{"metric":{"name":"exact_match"},"statistic":{"correct":1,"count":4,"accuracy":0.25,"standard_error":0.25}}],
          "tuned":[{"metric":{"name":"exact_match"},"statistic":{"correct":3,"count":4,"accuracy":0.75,"standard_error":0.25}}],
          "failing_examples":[]}]}
        """

    /// A version of `name` with every lineage field, in `status`, holding `aliases`.
    static func version(
        name: String = "support-bot", number: Int = 1, status: VersionStatus = .pendingApproval, note: String? = nil,
        aliases: [ModelAlias] = [], curve: [LossPoint]? = nil, gateReport: String = UIPageSamples.gateReport,
        datasetPath: String = "data/train.jsonl", createdAt: String = "2026-03-01T10:00:00.000Z"
    ) -> ModelVersion {
        ModelVersion(
            name: name, version: number, status: status, createdBy: "trainer-t", createdAt: createdAt,
            decidedBy: status == .pendingApproval ? nil : "approver-a", decidedAt: status == .pendingApproval ? nil : "2026-03-02T09:30:00.000Z",
            decisionNote: note, artifactDirectory: "/srv/quench/artifacts/\(name)/\(number)", files: [],
            signatureSHA256: String(repeating: "a", count: 64),
            lineage: Lineage(
                baseModel: BaseModelLineage(source: "HuggingFaceTB/SmolLM2-135M-Instruct", commit: "abc123",
                                            files: [HashedFile(path: "model.safetensors", sha256: String(repeating: "1", count: 64))]),
                datasets: [DatasetLineage(path: datasetPath, sha256: String(repeating: "2", count: 64), records: 100, fingerprint: "sha256:ff")],
                jobSpecSHA256: String(repeating: "3", count: 64), hyperparameters: .object(["lr": .double(0.0002), "rank": .int(8)]),
                quenchVersion: "0.1.0", architecture: "llama", trainedBy: "trainer-t", trainingCurve: curve),
            metrics: [:], gateReport: gateReport, reviewReason: nil, aliases: aliases)
    }

    /// The version page's data for `version`, among versions 1...`versions`.
    static func page(_ version: ModelVersion, signature: SignatureCheck = .verified, versions: Int = 1,
                     moves: [AliasMove] = [], audit: [AuditEntry] = []) -> VersionPageData {
        VersionPageData(version: version, signature: signature, audit: audit, aliasMoves: moves, versionNumbers: Array(1...versions))
    }

    /// The text between `<tag id="id"` and the tag's first closing `</tag>` (enough for flat elements).
    static func element(_ tag: String, id: String, in html: String) -> String? {
        guard let start = html.range(of: "<\(tag) id=\"\(id)\"") ?? html.range(of: "<\(tag) class=\"[^\"]*\" id=\"\(id)\"", options: .regularExpression),
              let end = html.range(of: "</\(tag)>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// The text of the `<section id="id">`, up to the next section or the end of `main`.
    static func section(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: "<section id=\"\(id)\"") else { return nil }
        let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex)?.upperBound ?? html.endIndex
        return String(html[start.lowerBound..<end])
    }
}
