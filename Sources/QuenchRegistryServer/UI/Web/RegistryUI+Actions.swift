import Foundation
import Hummingbird
import QuenchRegistry

/// The decisions made from the version page: the API's role checks and the registry's own rules, a
/// success going back to the page with a flash, a refusal shown as the flash with the API's status.
extension RegistryUI {
    /// The longest note accepted with a decision, in characters.
    static let maxNoteCharacters = 4_000

    /// A registry call deciding on a version with a note.
    typealias NoteDecision = @Sendable (Registry, VersionReference, String?, RegistryIdentity) throws -> ModelVersion

    /// The decisions with a note, the word their flash starts with, and their registry call.
    static let noteDecisions: [(RegistryDecision, String, NoteDecision)] = [
        (.approve, "Approved", { try $0.approve($1, note: $2, by: $3) }),
        (.reject, "Rejected", { try $0.reject($1, note: $2, by: $3) }),
        (.archive, "Archived", { try $0.archive($1, note: $2, by: $3) }),
    ]

    func addActionRoutes(to routes: inout RouteList) {
        for (decision, done, call) in Self.noteDecisions {
            routes.post("/ui/models/:name/versions/:version/\(decision.rawValue)") { request, context in
                await versionAction(request, context: context, fields: ["note"], decision: decision) { registry, reference, identity, form in
                    _ = try call(registry, reference, try Self.note(form), identity)
                    return "\(done) \(reference)."
                }
            }
        }
        routes.post("/ui/models/:name/versions/:version/promote") { request, context in
            await versionAction(request, context: context, fields: ["alias"], decision: .promote) { registry, reference, identity, form in
                let alias = try RegistryAPI.alias(named: form["alias"] ?? "")
                let move = try registry.promote(reference, to: alias, expectedHolder: .any, by: identity)
                return "Promoted \(reference) to \(alias.rawValue)" + (move.previousVersion.map { " (was \($0))." } ?? ".")
            }
        }
        routes.post("/ui/models/:name/rollback") { request, context in
            await action(request, context: context, fields: ["alias"]) { user, form in
                let name = try RegistryAPI.name(context)
                let alias = try RegistryAPI.alias(named: form["alias"] ?? "")
                return try await decide(.rollback, by: user) { registry, identity in
                    let move = try registry.rollback(name: name, alias: alias, by: identity)
                    let reference = VersionReference(name: name, version: move.version)
                    let was = move.previousVersion.map { " (was \($0))" } ?? ""
                    return ("Rolled \(alias.rawValue) of \(name) back to version \(move.version)\(was).", Self.path(of: reference))
                } refused: { context, status in
                    try await modelPage(name, context: context, status: status)
                }
            }
        }
    }

    /// A decision on the version in the path, made with the posted form; back to its page either way.
    private func versionAction(
        _ request: Request, context: RegistryRequestContext, fields: Set<String>, decision: RegistryDecision,
        perform: @escaping @Sendable (Registry, VersionReference, RegistryIdentity, FormFields) throws -> String
    ) async -> Response {
        await action(request, context: context, fields: fields) { user, form in
            let reference = try RegistryAPI.reference(context)
            return try await decide(decision, by: user) { registry, identity in
                (try perform(registry, reference, identity, form), Self.path(of: reference))
            } refused: { context, status in
                try await versionPage(reference, context: context, status: status)
            }
        }
    }

    /// Makes `decision` as `user`: its roles checked as the API checks them, then `perform` on the
    /// registry, which returns the flash and the page to go to (303). A refusal (a role, separation of
    /// duties, a state the decision does not apply to) is the page `refused` renders with the API's
    /// status and exactly the API's message as the flash.
    private func decide(
        _ decision: RegistryDecision, by user: SignedIn,
        perform: @escaping @Sendable (Registry, RegistryIdentity) throws -> (flash: String, page: String),
        refused: (PageContext, HTTPResponse.Status) async throws -> Response
    ) async throws -> Response {
        let refusal: APIError
        do {
            try decision.authorize(user.identity)
            let identity = user.identity
            let done = try await worker.run { try perform($0, identity) }
            sessions.setFlash(Flash(kind: .done, message: done.flash), for: user.sessionID)
            return UIResponse.redirect(to: done.page)
        } catch let error as APIError where error.status == .badRequest {
            throw error
        } catch {
            refusal = APIError.from(error)
        }
        return try await refused(user.context(flash: Flash(kind: .refused, message: refusal.message)), refusal.status)
    }

    /// The form's note: nil when empty, 400 past `maxNoteCharacters`.
    static func note(_ form: FormFields) throws -> String? {
        guard let note = form["note"]?.trimmingCharacters(in: .whitespacesAndNewlines), !note.isEmpty else { return nil }
        guard note.count <= maxNoteCharacters else {
            throw APIError.badRequest("the note is \(note.count) characters long; at most \(maxNoteCharacters) are accepted")
        }
        return note
    }
}
