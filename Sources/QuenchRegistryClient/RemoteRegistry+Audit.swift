import Foundation
import QuenchRegistry

/// `quench audit verify --registry URL`: the server's own replay, and this client's check of the log the
/// server serves against every checkpoint this client has witnessed.
extension RemoteRegistry {
    /// The answer of GET /v1/audit/verify.
    struct ServerVerification: Decodable {
        var entries: Int
        var root: String
        var firstBadEntry: Int?
        var problem: String?
        var stateProblems: [String]

        enum CodingKeys: String, CodingKey {
            case entries, root, firstBadEntry = "first_bad_entry", problem, stateProblems = "state_problems"
        }
    }

    /// Witnesses the log, fetches it whole and recomputes its tree against every checkpoint this client
    /// remembers (up to the newest, so entries added meanwhile by others do not count as unsigned), then
    /// adds what the server's replay found: a problem either side found makes the result not `ok`.
    public func verifyAudit() throws -> AuditVerification {
        let state = try witnessLog()
        let server = try http.get(ServerVerification.self, "/v1/audit/verify")
        let entries = try fetchAuditLog()
        let witnessed = state.checkpoints.last?.treeSize ?? 0
        var result = try witness.verifyLog(entries: Array(entries.prefix(witnessed)))
        if result.problem == nil, let problem = server.problem {
            result.firstBadEntry = server.firstBadEntry
            result.problem = "the server's own verification: \(problem)"
        }
        result.stateProblems += server.stateProblems
        return result
    }
}
