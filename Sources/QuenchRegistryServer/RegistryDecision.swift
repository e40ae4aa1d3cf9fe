import Hummingbird
import QuenchRegistry

/// The decisions on a version or an alias and the roles each needs: one definition for the API and
/// the web UI, which check them before the registry (which checks them again) is asked.
enum RegistryDecision: String, Sendable, CaseIterable {
    case approve, reject, archive, flag, promote, rollback

    /// The roles any one of which allows the decision.
    var roles: [RegistryRole] {
        switch self {
        case .approve, .reject: [.approver]
        case .archive, .flag: [.admin]
        case .promote, .rollback: [.approver, .admin]
        }
    }

    /// The decision as a refusal names it ("… may not roll back").
    var action: String {
        switch self {
        case .approve: "approve"
        case .reject: "reject"
        case .archive: "archive"
        case .flag: "flag for review"
        case .promote: "promote"
        case .rollback: "roll back"
        }
    }

    /// Refuses `identity` with 403 naming the roles when it holds none of them.
    func authorize(_ identity: RegistryIdentity) throws {
        guard identity.holdsAny(of: roles) else {
            throw APIError.forbidden(identity.name, action: action, needs: roles.map(\.rawValue))
        }
    }
}

extension RequestAuthentication {
    /// The caller's identity, which must be allowed `decision`; 403 naming the roles otherwise.
    func identity(of request: Request, context: RegistryRequestContext, for decision: RegistryDecision) async throws -> RegistryIdentity {
        let identity = try await identity(of: request, context: context)
        try decision.authorize(identity)
        return identity
    }
}
