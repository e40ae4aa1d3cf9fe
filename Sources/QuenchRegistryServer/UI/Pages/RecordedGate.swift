import Foundation
import QuenchFiles
import QuenchGate
import QuenchRegistry

/// A version's gate report as the registry kept it, decoded for the pages; a report that no longer
/// decodes is shown as unreadable, with the reason, instead of failing the page.
enum RecordedGate {
    case report(GateReport)
    /// Why the stored text is not a gate report.
    case unreadable(String)

    /// Decodes `version.gateReport`.
    init(_ version: ModelVersion) {
        let data = Data(version.gateReport.utf8)
        do {
            self = .report(try GateReport.decode(data))
        } catch {
            self = .unreadable(JSONErrorText.describe(error, in: data))
        }
    }

    /// `<span class="verdict pass">passed</span>`, `… fail">failed</span>` or `… unknown">unreadable</span>`.
    var verdict: String {
        switch self {
        case .report(let report) where report.passed: return "<span class=\"verdict pass\">passed</span>"
        case .report: return "<span class=\"verdict fail\">failed</span>"
        case .unreadable: return "<span class=\"verdict unknown\">unreadable</span>"
        }
    }
}
