import Foundation
import Hummingbird
import QuenchRegistry

/// Who is signed in, and the wrappers every page and form post goes through.
extension RegistryUI {
    /// The 403 of a form post whose CSRF token is missing or wrong.
    static let formExpired = APIError(
        .forbidden, code: "csrf", message: "The form expired or did not come from this site; reload the page and try again.")

    /// The signed-in user of `request`, its identity looked up again (and recorded for the access log);
    /// nil without a live session. A revoked user's session is ended here.
    func signedIn(_ request: Request, context: RegistryRequestContext) async throws -> SignedIn? {
        guard let id = UICookies(request)[UICookies.session], case .live(let session) = sessions.lookup(id) else { return nil }
        guard let identity = try await worker.run({ try $0.identity(ofUser: session.userName) }) else {
            sessions.end(id)
            return nil
        }
        context.record.authenticated(as: identity.name)
        return SignedIn(identity: identity, sessionID: id, session: session)
    }

    /// The page context for `user`, with (and so consuming) the session's flash.
    func pageContext(_ user: SignedIn) -> PageContext {
        user.context(flash: sessions.takeFlash(for: user.sessionID))
    }

    /// Answers a GET page: without a session the sign-in redirect (back here after), otherwise what
    /// `render` returns, or an error page for what it throws.
    func page(_ request: Request, context: RegistryRequestContext, render: (SignedIn) async throws -> Response) async -> Response {
        let user: SignedIn?
        do {
            user = try await signedIn(request, context: context)
        } catch {
            return UIResponse.error(APIError.from(error), context: UIPageMiddleware.anonymous)
        }
        guard let user else { return UIResponse.redirect(to: Self.signInPath(next: request.uri.path)) }
        do {
            return try await render(user)
        } catch {
            return UIResponse.error(APIError.from(error), context: user.context(flash: nil))
        }
    }

    /// Answers a form post of a signed-in user taking `fields` besides `csrf`: without a session the
    /// sign-in redirect; 400 for a bad form, 403 for a missing or wrong CSRF token (nothing changes);
    /// otherwise what `perform` returns, or an error page for what it throws.
    func action(
        _ request: Request, context: RegistryRequestContext, fields: Set<String>,
        perform: (SignedIn, FormFields) async throws -> Response
    ) async -> Response {
        let user: SignedIn?
        do {
            user = try await signedIn(request, context: context)
        } catch {
            return UIResponse.error(APIError.from(error), context: UIPageMiddleware.anonymous)
        }
        guard let user else { return UIResponse.redirect(to: "/ui/sign-in") }
        do {
            let form = try await FormFields.read(request, context: context, allowed: fields.union(["csrf"]))
            guard let csrf = form["csrf"], ConstantTime.equal(csrf, user.session.csrf) else { throw Self.formExpired }
            return try await perform(user, form)
        } catch {
            return UIResponse.error(APIError.from(error), context: user.context(flash: nil))
        }
    }

    /// The sign-in page's path, coming back to `next` after.
    static func signInPath(next: String) -> String {
        guard let next = safeNext(next) else { return "/ui/sign-in" }
        return "/ui/sign-in?next=" + (next.addingPercentEncoding(withAllowedCharacters: nextCharacters) ?? "")
    }

    /// The characters `next` keeps unescaped in the sign-in path: ASCII letters, digits, `-._~/`.
    private static let nextCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")

    /// `next` when it is a UI path to go to after signing in: starting `/ui/`, visible ASCII without
    /// `\`, at most 2,048 bytes (so never another site: no scheme, no `//`); nil otherwise.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/ui/"), next.utf8.count <= 2_048,
              next.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return next
    }
}
