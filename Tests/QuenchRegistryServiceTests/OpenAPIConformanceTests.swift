import Foundation
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// The OpenAPI document against the running server, exercised by a client nobody here wrote: PyPI
    /// `schemathesis` 4.32.5 (scripts/install-python-tools.sh) generates requests for every operation from
    /// GET /v1/openapi.yaml and checks every answer.
    @Suite struct OpenAPIConformanceTests {
        /// The checks run on every answer: no 5xx, and status, content type and body as the document says.
        static let checks = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"

        /// The schemathesis configuration: the bearer token read from the environment (never argv), a bounded
        /// number of generated cases per operation so a run takes seconds.
        static let configuration = """
            headers = { Authorization = "Bearer ${QUENCH_CONFORMANCE_TOKEN}" }
            request-timeout = 10.0
            generation.max-examples = 40

            """

        /// Cancels the calling test (reported as skipped) when the `schemathesis` CLI is not installed.
        func requireSchemathesis() throws {
            guard try ProcessRunner.run("/usr/bin/env", ["schemathesis", "--version"]).status == 0 else {
                try Test.cancel("`schemathesis` is not on PATH; run scripts/install-python-tools.sh")
            }
        }

        @Test func schemathesisFindsNoServerErrorAndEveryAnswerMatchesTheDocument() throws {
            try requireSchemathesis()
            let fixture = try ServerFixture()
            // Data for the reads to find: two versions, the first approved and promoted.
            for _ in 0..<2 {
                let registered = try fixture.register(try fixture.candidate(trainedBy: "trainer-t"))
                try #require(registered.status == 201, "\(registered.text)")
            }
            let approver = fixture.client(as: "approver-a")
            let approved = try approver.send("POST", "/v1/models/support-bot/versions/1/approve", json: "{}")
            try #require(approved.status == 200, "\(approved.text)")
            let promoted = try approver.send("POST", "/v1/models/support-bot/aliases/production", json: #"{"version": 1}"#)
            try #require(promoted.status == 200, "\(promoted.text)")
            // One identity holding every role, so no operation is refused for want of a role alone.
            let token = try RegistryServerProcess.addUser(
                "conformance-all", roles: ["trainer", "approver", "admin"], home: fixture.home)
            let me = try fixture.client(as: nil).with(token: token).send("GET", "/v1/me")
            try #require(me.status == 200, "\(me.text)")

            let configuration = fixture.directory.url.appendingPathComponent("schemathesis.toml")
            try Data(Self.configuration.utf8).write(to: configuration)
            let before = fixture.server.accessLog.count
            // One worker: the coverage phase of schemathesis 4.32.5 on Python 3.11 fails inside hypothesis
            // ("AST constructor recursion depth mismatch") when two workers generate at once.
            let run = try ProcessRunner.run(
                "/usr/bin/env",
                [
                    "schemathesis", "--config-file", configuration.path, "run", "\(fixture.server.url)/v1/openapi.yaml",
                    "--checks", Self.checks, "--phases", "examples,coverage,fuzzing", "--workers", "1",
                    "--no-color",
                ],
                environment: ["QUENCH_CONFORMANCE_TOKEN": token], in: fixture.directory.url)
            let summary = String(run.output.suffix(6000))
            #expect(run.status == 0, "\(summary)")
            #expect(!run.output.contains("Runtime Error"), "\(summary)")
            #expect(!run.output.contains(token), "schemathesis printed the token")

            let requests = fixture.server.accessLog.dropFirst(before).compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }
            #expect(requests.count > 200, "schemathesis sent only \(requests.count) requests")
            let failures = requests.filter { ($0["status"] as? Int ?? 0) >= 500 }
            #expect(failures.isEmpty, "5xx answers: \(failures.prefix(5))")
            let operations = Set(requests.compactMap { $0["method"] as? String })
            #expect(operations.isSuperset(of: ["GET", "POST", "PUT"]), "methods exercised: \(operations.sorted())")
        }
    }
}
