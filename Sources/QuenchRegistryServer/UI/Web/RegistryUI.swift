import Foundation
import Hummingbird
import QuenchRegistry

/// The registry's web UI under /ui: pages rendered on the server, signed-in sessions, and the same
/// decisions as the API made by the same registry calls.
struct RegistryUI: Sendable {
    /// The API whose worker, path parsing and ML-BOM the UI shares.
    let api: RegistryAPI
    let sessions: SessionStore
    /// Only API tokens sign in (OIDC JWTs are for CI jobs), through the API's own authenticator.
    let tokens: APITokenAuthenticator
    /// True when the server serves TLS: every cookie is then `Secure`.
    let secureCookies: Bool

    var worker: RegistryWorker { api.worker }

    /// Adds every /ui route to `routes`.
    func addRoutes(to routes: inout RouteList) {
        routes.get("/ui") { _, _ in UIResponse.redirect(to: "/ui/models") }
        routes.get("/ui/static/app.css") { _, _ in UIResponse.asset(StyleSheet.css, contentType: "text/css; charset=utf-8") }
        routes.get("/ui/static/app.js") { _, _ in UIResponse.asset(PageScript.javaScript, contentType: "text/javascript; charset=utf-8") }
        addSignInRoutes(to: &routes)
        addPageRoutes(to: &routes)
        addActionRoutes(to: &routes)
    }
}
