import Foundation
import Hummingbird
import QuenchRegistry

/// The audit endpoints: the log, its server-side verification, the latest signed checkpoint and
/// RFC 6962 consistency proofs between tree sizes, which clients use to witness the log.
extension RegistryAPI {
    /// The answer of GET /v1/audit/consistency.
    struct ConsistencyProof: Codable {
        var first: Int
        var second: Int
        /// Hex node hashes, RFC 6962 PROOF(first, D[second]).
        var proof: [String]
    }

    /// The most entries one GET /v1/audit/log returns.
    static let auditPageLimit = 10_000

    func addAuditRoutes(to routes: inout RouteList) {
        routes.get("/v1/audit/log") { request, context in
            _ = try await authentication.identity(of: request, context: context)
            let after = try Self.query("after", of: request, absent: 0)
            let limit = try Self.query("limit", of: request, absent: Self.auditPageLimit)
            guard (1...Self.auditPageLimit).contains(limit) else {
                throw APIError.badRequest("limit must be between 1 and \(Self.auditPageLimit), not \(limit)")
            }
            let entries = try await worker.run { try $0.auditLog() }
            return try Self.json(Array(entries.lazy.filter { $0.seq > after }.prefix(limit)))
        }
        routes.get("/v1/audit/verify") { request, context in
            _ = try await authentication.identity(of: request, context: context)
            return try Self.json(try await worker.run { try $0.verifyAudit() })
        }
        routes.get("/v1/audit/checkpoint") { request, context in
            _ = try await authentication.identity(of: request, context: context)
            guard let checkpoint = try await worker.run({ try $0.latestCheckpoint() }) else {
                throw APIError(.notFound, code: "no_checkpoint", message: "the audit log is empty: nothing has been signed yet")
            }
            return try Self.json(checkpoint)
        }
        routes.get("/v1/audit/consistency") { request, context in
            _ = try await authentication.identity(of: request, context: context)
            let first = try Self.query("first", of: request, absent: nil)
            let second = try Self.query("second", of: request, absent: nil)
            let proof = try await worker.run { registry -> [String] in
                let signed = try registry.latestCheckpoint()?.treeSize ?? 0
                guard first <= second, second <= signed else {
                    throw APIError.badRequest("need 0 <= first <= second <= \(signed) (the signed tree size), got first=\(first) second=\(second)")
                }
                return try registry.consistencyProof(from: first, to: second)
            }
            return try Self.json(ConsistencyProof(first: first, second: second, proof: proof))
        }
    }
}
