import Foundation
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// CI jobs authenticate with their OIDC JWTs over real HTTP: roles come from server.yaml's claim rules,
    /// and every token the server cannot trust gets the answer of an unknown API token.
    @Suite struct OIDCAuthenticationTests {
        /// A server whose home trusts `issuers`, with one API-token user.
        final class OIDCServer {
            let directory: TemporaryDirectory
            let home: URL
            let apiToken: String
            let server: RegistryServerProcess

            init(issuers: [OIDCTestIssuer]) throws {
                directory = try TemporaryDirectory("oidc")
                home = try OIDCTestIssuer.home(in: directory.url, issuers: issuers)
                apiToken = try RegistryServerProcess.addUser("approver-a", roles: ["approver"], home: home)
                server = try RegistryServerProcess(home: home)
            }

            func client(token: String?) -> ServerClient {
                ServerClient(base: server.url, token: token, scratch: directory.url)
            }
        }

        @Test func aTokenMatchingTheTrainerRuleActsAsTrainer() throws {
            let issuer = OIDCTestIssuer()
            let fixture = try OIDCServer(issuers: [issuer])
            let token = try issuer.token()
            let trainer = fixture.client(token: token)
            let me = try trainer.send("GET", "/v1/me")
            #expect(me.status == 200)
            #expect(me.object["name"] as? String == "oidc:" + OIDCTestIssuer.trainerSubject)
            #expect(me.object["roles"] as? [String] == ["trainer"])
            #expect(me.object["method"] as? String == "oidc")
            let upload = try trainer.send("POST", "/v1/uploads")
            #expect(upload.status == 201)
            #expect(upload.object["id"] is String)
            let both = try fixture.client(token: try issuer.token(["environment": "production"])).send("GET", "/v1/me")
            #expect(both.object["roles"] as? [String] == ["approver", "trainer"])
            let apiUser = try fixture.client(token: fixture.apiToken).send("GET", "/v1/me")
            #expect(apiUser.object["name"] as? String == "approver-a")
            #expect(apiUser.object["method"] as? String == "api_token")
            let identities = fixture.server.accessLog.compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["identity"] as? String
            }
            #expect(identities.contains("oidc:" + OIDCTestIssuer.trainerSubject))
            #expect(!fixture.server.output.contains(token))
        }

        @Test func untrustedTokensGetTheAnswerOfAnUnknownAPIToken() throws {
            let issuer = OIDCTestIssuer()
            let fixture = try OIDCServer(issuers: [issuer])
            let now = Int(Date().timeIntervalSince1970)
            let unknown = try fixture.client(token: "qrt_" + String(repeating: "A", count: 43)).send("GET", "/v1/me")
            #expect(unknown.status == 401)
            #expect(unknown.errorCode == "unauthorized")
            let tokens: [String: String] = [
                "expired": try issuer.token(["iat": now - 7200, "exp": now - 3600]),
                "forged": try OIDCTestIssuer(kid: issuer.kid).token(),
                "wrong audience": try issuer.token(["aud": "another-service"]),
                "wrong issuer": try issuer.token(["iss": "https://issuer.example.test"]),
                "no rule": try issuer.token(["sub": "repo:org/ml-jobs:ref:refs/heads/feature"]),
                "not yet valid": try issuer.token(["nbf": now + 3600]),
                "no expiry": try issuer.token(["exp": nil]),
                "unknown key": try OIDCTestIssuer(kid: "key-2").token(),
                "other algorithm": try issuer.token(header: ["alg": "RS256", "kid": issuer.kid]),
                "no key id": try issuer.token(header: ["alg": "ES256"]),
            ]
            for (kind, token) in tokens.sorted(by: { $0.key < $1.key }) {
                let answer = try fixture.client(token: token).send("GET", "/v1/me")
                #expect(answer.status == 401, "\(kind)")
                #expect(answer.body == unknown.body, "\(kind)")
                let upload = try fixture.client(token: token).send("POST", "/v1/uploads")
                #expect(upload.status == 401, "\(kind)")
                #expect(!fixture.server.output.contains(token), "\(kind)")
            }
        }

        @Test func aBadServerConfigStopsTheServerNamingFileLineAndKey() throws {
            let directory = try TemporaryDirectory("oidc")
            let home = try OIDCTestIssuer.home(in: directory.url, issuers: [OIDCTestIssuer()])
            let config = home.appendingPathComponent("server.yaml").path
            try OIDCTestIssuer.writeConfig(OIDCTestIssuer.serverYAML(jwks: "jwks.json", extra: "  audiense: typo\n"), home: home)
            let unknownKey = try #require(throws: TestSetupError.self) { try RegistryServerProcess(home: home) }
            #expect("\(unknownKey)".contains("\(config):5:3: key 'oidc.audiense': unknown key, did you mean 'audience'?"))

            try OIDCTestIssuer.writeConfig(OIDCTestIssuer.serverYAML(jwks: "jwks.json"), home: home, permissions: 0o664)
            let writable = try #require(throws: TestSetupError.self) { try RegistryServerProcess(home: home) }
            #expect("\(writable)".contains("cannot read configuration \(config): it has mode 664"))

            try OIDCTestIssuer.writeConfig(OIDCTestIssuer.serverYAML(jwks: "missing.json"), home: home)
            let missing = try #require(throws: TestSetupError.self) { try RegistryServerProcess(home: home) }
            #expect("\(missing)".contains("from \(home.path)/missing.json: no such file or directory"))
        }
    }
}
