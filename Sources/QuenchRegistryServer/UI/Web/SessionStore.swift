import Crypto
import Foundation
import NIOConcurrencyHelpers
import QuenchRegistry

/// The web UI's signed-in sessions, in memory (a restart signs everyone out). An id is 32 random bytes
/// only the browser keeps; the store keys each session by the SHA-256 of its id, so neither a dump of
/// it nor the timing of a lookup gives an id away.
final class SessionStore: Sendable {
    /// One signed-in browser.
    struct Session: Sendable, Equatable {
        /// The API user signed in; its identity is looked up again on every request.
        let userName: String
        /// The token every form of this session carries (32 random bytes, base64url).
        let csrf: String
        let createdAt: Date
        /// Absolute: the sign-in time plus the lifetime, never extended by use.
        let expiresAt: Date
        /// A message for the next page shown, then dropped.
        fileprivate(set) var flash: Flash?
    }

    /// What a session id refers to.
    enum Lookup: Sendable, Equatable {
        case live(Session)
        /// A session past its lifetime, kept until it is ended or purged so the sign-in page can say so.
        case expired
        case unknown
    }

    /// The most sessions held at once.
    static let defaultCapacity = 10_000

    /// How long a session lasts from its sign-in, in seconds.
    let lifetime: TimeInterval
    let capacity: Int
    private let clock: @Sendable () -> Date
    private let sessions = NIOLockedValueBox([SHA256.Digest: Session]())

    /// A store whose sessions last `lifetime` seconds, holding at most `capacity`; `clock` is the time.
    init(lifetime: TimeInterval, capacity: Int = defaultCapacity, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// Starts a session for `userName`: returns its id (the cookie's value) and the session. When the
    /// store is full, expired sessions are purged first, then the oldest.
    /// - Complexity: O(n) when the store is full, O(1) otherwise.
    func start(for userName: String) -> (id: String, session: Session) {
        let id = Registry.randomURLSafeToken()
        let now = clock()
        let session = Session(userName: userName, csrf: Registry.randomURLSafeToken(), createdAt: now, expiresAt: now + lifetime)
        let capacity = self.capacity
        sessions.withLockedValue { sessions in
            if sessions.count >= capacity {
                sessions = sessions.filter { $0.value.expiresAt > now }
            }
            while sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.createdAt < $1.value.createdAt })?.key {
                sessions[oldest] = nil
            }
            sessions[Self.key(id)] = session
        }
        return (id, session)
    }

    /// The session `id` refers to now.
    func lookup(_ id: String) -> Lookup {
        let now = clock()
        return sessions.withLockedValue { sessions in
            guard let session = sessions[Self.key(id)] else { return .unknown }
            return session.expiresAt > now ? .live(session) : .expired
        }
    }

    /// Ends session `id` (sign-out, expiry, a revoked user); nothing happens for an unknown id.
    func end(_ id: String) {
        _ = sessions.withLockedValue { $0.removeValue(forKey: Self.key(id)) }
    }

    /// Keeps `flash` for the next page session `id` shows.
    func setFlash(_ flash: Flash, for id: String) {
        sessions.withLockedValue { $0[Self.key(id)]?.flash = flash }
    }

    /// The flash of session `id`, removed so it shows once.
    func takeFlash(for id: String) -> Flash? {
        sessions.withLockedValue { sessions in
            let key = Self.key(id)
            defer { sessions[key]?.flash = nil }
            return sessions[key]?.flash
        }
    }

    /// How many sessions are held, expired ones included.
    var count: Int { sessions.withLockedValue { $0.count } }

    private static func key(_ id: String) -> SHA256.Digest {
        SHA256.hash(data: Data(id.utf8))
    }
}
