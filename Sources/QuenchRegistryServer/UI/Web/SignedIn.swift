import QuenchRegistry

/// A request's signed-in user: the identity as the registry knows it now, and the session it came with.
struct SignedIn: Sendable {
    let identity: RegistryIdentity
    /// The session id (the cookie's value).
    let sessionID: String
    let session: SessionStore.Session

    /// The page context of a page shown to this user.
    func context(flash: Flash?) -> PageContext {
        PageContext(user: identity, csrf: session.csrf, flash: flash)
    }
}

/// Why a request has no signed-in user.
enum SignedOut: Sendable, Equatable {
    /// No session cookie, or one the server does not know (another server run, a forged value).
    case none
    /// The session outlived its lifetime.
    case expired
    /// The session's user was revoked since signing in.
    case revoked
}
