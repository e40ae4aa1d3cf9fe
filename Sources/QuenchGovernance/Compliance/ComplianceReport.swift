import Foundation
import QuenchFiles

/// The outcome of one control.
public enum ComplianceStatus: String, Codable, Sendable {
    case pass
    case fail
    /// The stage that produces the evidence did not run; not a pass.
    case notRun = "not_run"
}

/// One control of the compliance report: a claim, whether it holds, and the evidence.
public struct ComplianceControl: Codable, Sendable, Equatable {
    /// Stable id, e.g. `source-verified`.
    public let id: String
    /// What the control claims.
    public let title: String
    /// Pass, fail or not run.
    public let status: ComplianceStatus
    /// The evidence, as named values.
    public let evidence: [String: String]

    /// True only for `pass`.
    public var passed: Bool { status == .pass }

    /// Creates a control.
    public init(id: String, title: String, status: ComplianceStatus, evidence: [String: String]) {
        self.id = id
        self.title = title
        self.status = status
        self.evidence = evidence
    }

    private enum CodingKeys: String, CodingKey { case id, title, status, passed, evidence }

    /// Reads a control written by `encode(to:)`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        title = try container.decode(String.self, forKey: .title)
        status = try container.decode(ComplianceStatus.self, forKey: .status)
        evidence = try container.decode([String: String].self, forKey: .evidence)
    }

    /// Writes every field and `passed`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(status, forKey: .status)
        try container.encode(passed, forKey: .passed)
        try container.encode(evidence, forKey: .evidence)
    }
}

/// The compliance report of a run: every control with pass/fail and evidence, written as
/// `compliance.json` (for tools) and `compliance.md` (for reviewers) in the run directory.
public struct ComplianceReport: Codable, Sendable, Equatable {
    /// File name of the JSON report in the run directory (link to it from the HTML report).
    public static let jsonFileName = "compliance.json"
    /// File name of the Markdown report in the run directory.
    public static let markdownFileName = "compliance.md"

    /// The run's id.
    public let runID: String
    /// When the report was made, ISO 8601.
    public let generated: String
    /// The controls, in pipeline order.
    public let controls: [ComplianceControl]
    /// True when every control passed.
    public let passed: Bool

    /// The report on `facts`, dated `date`.
    public init(facts: ComplianceFacts, date: Date = Date()) {
        runID = facts.runID
        generated = ISO8601DateFormatter().string(from: date)
        controls = ComplianceControls.all(from: facts)
        passed = controls.allSatisfy(\.passed)
    }

    /// Writes `compliance.json` and `compliance.md` into `directory` atomically, every text passed
    /// through `scrubber` first.
    /// - Returns: the two files.
    @discardableResult
    public func write(to directory: URL, scrubber: SecretScrubber = SecretScrubber()) throws -> (json: URL, markdown: URL) {
        let scrubbed = scrubbed(by: scrubber)
        let json = directory.appendingPathComponent(Self.jsonFileName)
        let markdown = directory.appendingPathComponent(Self.markdownFileName)
        let encoded = try JSONCoding.fileEncoder.encode(scrubbed) + Data("\n".utf8)
        do throws(AtomicFile.Failure) {
            try AtomicFile.write(encoded, to: json)
            try AtomicFile.write(Data(scrubbed.markdown().utf8), to: markdown)
        } catch {
            throw GovernanceError(error)
        }
        return (json, markdown)
    }

    private init(runID: String, generated: String, controls: [ComplianceControl], passed: Bool) {
        self.runID = runID
        self.generated = generated
        self.controls = controls
        self.passed = passed
    }

    /// The report with every evidence value scrubbed.
    func scrubbed(by scrubber: SecretScrubber) -> ComplianceReport {
        ComplianceReport(
            runID: scrubber.scrub(runID), generated: generated,
            controls: controls.map { control in
                ComplianceControl(id: control.id, title: control.title, status: control.status,
                                  evidence: control.evidence.mapValues(scrubber.scrub))
            },
            passed: passed)
    }

    /// The Markdown form: a summary table, then each control's evidence.
    public func markdown() -> String {
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        func label(_ status: ComplianceStatus) -> String {
            switch status {
            case .pass: return "PASS"
            case .fail: return "FAIL"
            case .notRun: return "NOT RUN"
            }
        }
        var lines = [
            "# Compliance report: run \(cell(runID))", "",
            "Generated \(generated). Overall: **\(passed ? "PASS" : "FAIL")**.", "",
            "| Control | Status |", "|---|---|",
        ]
        lines += controls.map { "| \(cell($0.title)) (`\($0.id)`) | \(label($0.status)) |" }
        for control in controls {
            lines += ["", "## \(control.title): \(label(control.status))", ""]
            if control.evidence.isEmpty { lines.append("No evidence.") }
            lines += control.evidence.sorted { $0.key < $1.key }.map { "- **\(cell($0.key))**: \(cell($0.value))" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
