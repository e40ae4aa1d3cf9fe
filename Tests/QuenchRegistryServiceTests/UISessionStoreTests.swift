import Foundation
import Synchronization
import Testing
@testable import QuenchRegistryServer

/// The web UI's session store: absolute expiry, the bound of live sessions, a flash shown once, a CSRF
/// token of each session's own, and the comparison of tokens.
@Suite struct UISessionStoreTests {
    /// A clock the test moves.
    final class TestClock: Sendable {
        private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var now: Date { time.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    }

    @Test func aSessionLastsItsLifetimeFromSignInAndNoLonger() throws {
        let clock = TestClock()
        let store = SessionStore(lifetime: 60, clock: { clock.now })
        let (id, session) = store.start(for: "approver-a")
        #expect(session.userName == "approver-a")
        #expect(session.expiresAt == session.createdAt + 60)
        clock.advance(59)
        #expect(store.lookup(id) == .live(session))
        clock.advance(1)
        #expect(store.lookup(id) == .expired)
        store.end(id)
        #expect(store.lookup(id) == .unknown)
        #expect(store.lookup("not-a-session") == .unknown)
    }

    @Test func useDoesNotExtendASession() {
        let clock = TestClock()
        let store = SessionStore(lifetime: 100, clock: { clock.now })
        let (id, _) = store.start(for: "approver-a")
        for _ in 0..<9 {
            clock.advance(10)
            #expect(store.lookup(id) != .expired)
        }
        clock.advance(10)
        #expect(store.lookup(id) == .expired)
    }

    @Test func idsAndCSRFTokensAre32RandomBytesAndDifferPerSession() throws {
        let store = SessionStore(lifetime: 60)
        let first = store.start(for: "approver-a")
        let second = store.start(for: "approver-a")
        for token in [first.id, second.id, first.session.csrf, second.session.csrf] {
            #expect(token.count == 43)
            #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
        #expect(Set([first.id, second.id, first.session.csrf, second.session.csrf]).count == 4)
    }

    @Test func whenFullExpiredSessionsGoFirstThenTheOldest() throws {
        let clock = TestClock()
        let store = SessionStore(lifetime: 100, capacity: 3, clock: { clock.now })
        let oldest = store.start(for: "a").id
        clock.advance(10)
        let middle = store.start(for: "b").id
        clock.advance(10)
        let newest = store.start(for: "c").id
        let fourth = store.start(for: "d").id
        #expect(store.count == 3)
        #expect(store.lookup(oldest) == .unknown)
        for id in [middle, newest, fourth] { #expect(store.lookup(id) != .unknown) }

        clock.advance(90)  // now +110: middle (created at +10) has expired; newest and fourth (at +20) have not.
        #expect(store.lookup(middle) == .expired)
        let fifth = store.start(for: "e").id
        #expect(store.count == 3)
        #expect(store.lookup(middle) == .unknown)
        for id in [newest, fourth, fifth] { #expect(store.lookup(id) != .unknown) }
    }

    @Test func theBoundIsTenThousand() {
        let store = SessionStore(lifetime: 60)
        #expect(store.capacity == 10_000)
        for index in 0..<10_001 { _ = store.start(for: "user-\(index)") }
        #expect(store.count == 10_000)
    }

    @Test func aFlashShowsOnceAndOnlyInItsSession() {
        let store = SessionStore(lifetime: 60)
        let mine = store.start(for: "approver-a").id
        let theirs = store.start(for: "approver-b").id
        let flash = Flash(kind: .done, message: "Approved support-bot@1.")
        store.setFlash(flash, for: mine)
        #expect(store.takeFlash(for: theirs) == nil)
        #expect(store.takeFlash(for: mine) == flash)
        #expect(store.takeFlash(for: mine) == nil)
        store.setFlash(flash, for: "unknown")
        #expect(store.count == 2)
    }

    @Test func tokensCompareEqualOnlyWhenAllTheirBytesAgree() {
        let token = "Q2hhbmdlLW1lLWFuZC1rZWVwLWl0LXNlY3JldC0xMjM0"
        #expect(ConstantTime.equal(token, token))
        #expect(!ConstantTime.equal(token, String(token.dropLast()) + "5"))
        #expect(!ConstantTime.equal("X" + token.dropFirst(), token))
        #expect(!ConstantTime.equal(token, token + "A"))
        #expect(!ConstantTime.equal("", token))
        #expect(ConstantTime.equal("", ""))
    }
}
