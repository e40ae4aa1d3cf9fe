import Foundation
import Testing
@testable import QuenchRegistryServer

/// Reading the `Cookie` header and building `Set-Cookie` values, the sign-in redirect's `next`, and the
/// security headers of every /ui answer.
@Suite struct UISessionCookieTests {
    @Test func severalCookiesWithOrWithoutSpacesAreRead() {
        let cookies = UICookies(header: "theme=dark;quench_session=abc-DEF_123;  quench_signin=\"xyz\" ; other=1")
        #expect(cookies[UICookies.session] == "abc-DEF_123")
        #expect(cookies[UICookies.signIn] == "xyz")
        #expect(cookies["theme"] == "dark")
        #expect(cookies["missing"] == nil)
    }

    @Test func malformedPairsAreSkippedAndTheFirstOfARepeatedNameWins() {
        let cookies = UICookies(header: "junk; =novalue; bad name=1; quote=a\"b; quench_session=first; quench_session=second; empty=")
        #expect(cookies[UICookies.session] == "first")
        #expect(cookies["junk"] == nil)
        #expect(cookies["bad name"] == nil)
        #expect(cookies["quote"] == nil)
        #expect(cookies["empty"] == nil)
    }

    @Test func aHeaderOver8KiBOrAbsentReadsAsNoCookie() {
        let padding = "pad=" + String(repeating: "x", count: 8 * 1024)
        #expect(UICookies(header: "quench_session=abc; " + padding)[UICookies.session] == nil)
        #expect(UICookies(header: nil)[UICookies.session] == nil)
        #expect(UICookies(header: "quench_session=abc")[UICookies.session] == "abc")
    }

    @Test func setCookieIsHttpOnlyStrictUnderUIAndSecureOverTLS() {
        #expect(UICookies.setting(UICookies.session, to: "abc", secure: false) == "quench_session=abc; Path=/ui; HttpOnly; SameSite=Strict")
        #expect(UICookies.setting(UICookies.signIn, to: "xyz", maxAge: 600, secure: true)
            == "quench_signin=xyz; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=600; Secure")
        #expect(UICookies.clearing(UICookies.session, secure: true) == "quench_session=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0; Secure")
    }

    @Test func nextIsOnlyEverAPathOfTheUI() {
        #expect(RegistryUI.safeNext("/ui/models/support-bot/versions/2") == "/ui/models/support-bot/versions/2")
        for refused in ["//evil.example/ui/", "https://evil.example/ui/models", "/ui", "/v1/versions", "/ui/\\evil", "/ui/a b",
                        "/ui/\u{e9}", "", "/ui/" + String(repeating: "a", count: 2_048)] {
            #expect(RegistryUI.safeNext(refused) == nil, "\(refused)")
        }
        #expect(RegistryUI.safeNext(nil) == nil)
        #expect(RegistryUI.signInPath(next: "/ui/models/support-bot") == "/ui/sign-in?next=/ui/models/support-bot")
        #expect(RegistryUI.signInPath(next: "/ui/audit?x=1&y=2") == "/ui/sign-in?next=/ui/audit%3Fx%3D1%26y%3D2")
        #expect(RegistryUI.signInPath(next: "//evil.example") == "/ui/sign-in")
    }

    @Test func everyUIAnswerCarriesTheSecurityHeaders() {
        let headers = Dictionary(uniqueKeysWithValues: UIPageMiddleware.securityHeaders.map { ($0.name.canonicalName, $0.value) })
        #expect(headers.count == 4)
        #expect(headers["content-security-policy"] == "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        #expect(headers["x-content-type-options"] == "nosniff")
        #expect(headers["referrer-policy"] == "no-referrer")
        #expect(headers["x-frame-options"] == "DENY")
        #expect(UIPageMiddleware.isUIPath("/ui") && UIPageMiddleware.isUIPath("/ui/models"))
        #expect(!UIPageMiddleware.isUIPath("/uix") && !UIPageMiddleware.isUIPath("/v1/ui"))
    }
}
