import Foundation
import Hummingbird
import QuenchRegistry

/// Signing in with an API token (exchanged for a session cookie) and signing out.
extension RegistryUI {
    /// How long the sign-in form's CSRF cookie lasts, in seconds.
    static let signInCookieAge = 600
    /// The sign-in page's flash after a session ran out.
    static let sessionExpired = "Your session expired; sign in again."
    /// The sign-in page's flash for a token that does not sign in; the same for every reason.
    static let tokenRefused = "That token is not accepted: it is unknown, revoked or mistyped."

    func addSignInRoutes(to routes: inout RouteList) {
        routes.get("/ui/sign-in") { request, _ in
            do {
                return try signInPage(request)
            } catch {
                return UIResponse.error(APIError.from(error), context: UIPageMiddleware.anonymous)
            }
        }
        routes.post("/ui/sign-in") { request, context in
            await signIn(request, context: context)
        }
        routes.post("/ui/sign-out") { request, context in
            await action(request, context: context, fields: []) { user, _ in
                sessions.end(user.sessionID)
                return UIResponse.redirect(to: "/ui/sign-in", cookies: [UICookies.clearing(UICookies.session, secure: secureCookies)])
            }
        }
    }

    /// The sign-in form, which sets the double-submit cookie its CSRF field repeats (kept when the
    /// browser has one, so two sign-in tabs both work); it says so when the browser's session expired.
    private func signInPage(_ request: Request) throws -> Response {
        let next = Self.safeNext(try FormFields(query: request, allowed: ["next"])["next"])
        let cookies = UICookies(request)
        var setCookies: [String] = []
        var flash: Flash?
        if let id = cookies[UICookies.session], sessions.lookup(id) == .expired {
            sessions.end(id)
            flash = Flash(kind: .refused, message: Self.sessionExpired)
            setCookies.append(UICookies.clearing(UICookies.session, secure: secureCookies))
        }
        let token = cookies[UICookies.signIn] ?? Registry.randomURLSafeToken()
        setCookies.append(UICookies.setting(UICookies.signIn, to: token, maxAge: Self.signInCookieAge, secure: secureCookies))
        return UIResponse.page(SignInPage.render(next: next, context: PageContext(user: nil, csrf: token, flash: flash)), cookies: setCookies)
    }

    /// Exchanges the posted API token for a session: 403 when the CSRF field does not repeat the sign-in
    /// cookie, 401 and the form again for a token that is not accepted. The token is neither kept nor shown.
    private func signIn(_ request: Request, context: RegistryRequestContext) async -> Response {
        let cookies = UICookies(request)
        do {
            let form = try await FormFields.read(request, context: context, allowed: ["csrf", "next", "token"])
            guard let expected = cookies[UICookies.signIn], let sent = form["csrf"], ConstantTime.equal(sent, expected) else {
                throw Self.formExpired
            }
            let next = Self.safeNext(form["next"])
            let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard let identity = try await tokens.identity(forBearer: token) else {
                let refused = PageContext(user: nil, csrf: expected, flash: Flash(kind: .refused, message: Self.tokenRefused))
                return UIResponse.page(SignInPage.render(next: next, context: refused), status: .unauthorized)
            }
            context.record.authenticated(as: identity.name)
            if let previous = cookies[UICookies.session] { sessions.end(previous) }
            let started = sessions.start(for: identity.name)
            return UIResponse.redirect(to: next ?? "/ui/models", cookies: [
                UICookies.setting(UICookies.session, to: started.id, secure: secureCookies),
                UICookies.clearing(UICookies.signIn, secure: secureCookies),
            ])
        } catch {
            return UIResponse.error(APIError.from(error), context: UIPageMiddleware.anonymous)
        }
    }
}
