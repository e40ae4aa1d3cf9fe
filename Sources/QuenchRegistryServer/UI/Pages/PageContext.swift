import QuenchRegistry

/// A one-line message shown at the top of a page after an action.
struct Flash: Equatable, Sendable {
    /// Whether the action happened or the registry refused it; also the flash's CSS class.
    enum Kind: String, Sendable { case done, refused }
    let kind: Kind
    let message: String
}

/// What every page needs besides its data: who is signed in (nil on the sign-in page), the CSRF token
/// its forms carry, and a flash message.
struct PageContext: Sendable {
    let user: RegistryIdentity?
    let csrf: String
    let flash: Flash?
}
