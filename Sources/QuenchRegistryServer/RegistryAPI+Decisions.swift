import Foundation
import Hummingbird
import QuenchRegistry

/// The decision endpoints: approve, reject, archive, flag, and the alias moves.
extension RegistryAPI {
    /// The body of approve, reject and archive.
    struct NoteBody: Codable {
        var note: String?
    }

    /// The body of flag.
    struct ReasonBody: Codable {
        var reason: String
    }

    /// The body of a promotion: `expected_holder` absent means no check, null means the alias must be unset.
    struct PromoteBody: Codable {
        var version: Int
        var expectedHolder: AliasExpectation

        enum CodingKeys: String, CodingKey { case version, expectedHolder = "expected_holder" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            version = try container.decode(Int.self, forKey: .version)
            expectedHolder = container.contains(.expectedHolder)
                ? .holder(try container.decodeIfPresent(Int.self, forKey: .expectedHolder)) : .any
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(version, forKey: .version)
            if case .holder(let holder) = expectedHolder { try container.encode(holder, forKey: .expectedHolder) }
        }
    }

    /// The (empty) body of a rollback.
    struct EmptyBody: Codable {}

    func addDecisionRoutes(to routes: inout RouteList) {
        routes.post("/v1/models/:name/versions/:version/approve") { request, context in
            let (identity, reference, body) = try await decision(request, context: context, .approve)
            return try Self.json(try await worker.run { try $0.approve(reference, note: body.note, by: identity) })
        }
        routes.post("/v1/models/:name/versions/:version/reject") { request, context in
            let (identity, reference, body) = try await decision(request, context: context, .reject)
            return try Self.json(try await worker.run { try $0.reject(reference, note: body.note, by: identity) })
        }
        routes.post("/v1/models/:name/versions/:version/archive") { request, context in
            let (identity, reference, body) = try await decision(request, context: context, .archive)
            return try Self.json(try await worker.run { try $0.archive(reference, note: body.note, by: identity) })
        }
        routes.post("/v1/models/:name/versions/:version/flag") { request, context in
            let identity = try await authentication.identity(of: request, context: context, for: .flag)
            let reference = try Self.reference(context)
            let body = try await self.body(ReasonBody.self, of: request, context: context)
            return try Self.json(try await worker.run { try $0.markForReview(version: reference, reason: body.reason, by: identity) })
        }
        routes.get("/v1/models/:name/aliases") { request, context in
            _ = try await authentication.identity(of: request, context: context)
            let name = try Self.name(context)
            return try Self.json(try await worker.run { try $0.aliasHistory(name: name) })
        }
        routes.post("/v1/models/:name/aliases/:alias") { request, context in
            let identity = try await authentication.identity(of: request, context: context, for: .promote)
            let name = try Self.name(context)
            let alias = try Self.alias(context)
            let body = try await self.body(PromoteBody.self, of: request, context: context)
            let reference = VersionReference(name: name, version: body.version)
            return try Self.json(try await worker.run {
                try $0.promote(reference, to: alias, expectedHolder: body.expectedHolder, by: identity)
            })
        }
        routes.post("/v1/models/:name/aliases/:alias/rollback") { request, context in
            let identity = try await authentication.identity(of: request, context: context, for: .rollback)
            let name = try Self.name(context)
            let alias = try Self.alias(context)
            _ = try await self.body(EmptyBody.self, of: request, context: context)
            return try Self.json(try await worker.run { try $0.rollback(name: name, alias: alias, by: identity) })
        }
    }

    /// The identity (allowed `decision`), the version and the note of a decision request.
    private func decision(_ request: Request, context: RegistryRequestContext, _ decision: RegistryDecision) async throws
        -> (RegistryIdentity, VersionReference, NoteBody)
    {
        let identity = try await authentication.identity(of: request, context: context, for: decision)
        let reference = try Self.reference(context)
        return (identity, reference, try await body(NoteBody.self, of: request, context: context))
    }

    /// The `{alias}` path parameter, one of the known aliases.
    private static func alias(_ context: RegistryRequestContext) throws -> ModelAlias {
        try alias(named: context.parameters.get("alias") ?? "")
    }

    /// The alias `text` names; 400 listing the known ones otherwise.
    static func alias(named text: String) throws -> ModelAlias {
        guard let alias = ModelAlias(rawValue: text) else {
            throw APIError.badRequest("unknown alias '\(text)'; known: \(ModelAlias.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return alias
    }
}
