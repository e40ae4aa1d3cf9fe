import Foundation
import QuenchTestSupport
import Testing

/// Where schemathesis (PyPI) is: `$QUENCH_SCHEMATHESIS`, else `schemathesis` on the PATH; nil when absent.
private let schemathesis: URL? = {
    if let path = ProcessInfo.processInfo.environment["QUENCH_SCHEMATHESIS"], !path.isEmpty { return URL(fileURLWithPath: path) }
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    return folders.map { URL(fileURLWithPath: String($0)).appendingPathComponent("schemathesis") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

extension RegistryServiceTests {
    /// The OpenAPI document against the server, by a client nobody here wrote: schemathesis generates
    /// requests from the document (examples, edge cases, fuzzing, stateful sequences) and checks every
    /// answer's status, content type, headers and schema, and that none is a 5xx.
    @Suite struct ServerOpenAPITests {
        @Test(.enabled(if: schemathesis != nil, "schemathesis is not installed (pip install schemathesis, or set QUENCH_SCHEMATHESIS)"))
        func schemathesisFindsTheServerTrueToItsDocument() throws {
            let program = try #require(schemathesis)
            let fixture = try ServerFixture()
            #expect(try fixture.register(try fixture.candidate()).status == 201)
            let token = try #require(fixture.tokens["admin-z"])
            // positive_data_acceptance is left out: some schema-valid requests are refused for what a schema
            // cannot say (a consistency range beyond the signed tree, a gate report that did not pass, a '..' path).
            let result = try ProcessRunner.run(program, [
                "run", fixture.server.url + "/v1/openapi.yaml", "--url", fixture.server.url,
                "-H", "Authorization: Bearer \(token)", "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                "--max-examples", "15", "--seed", "17", "--no-color",
            ], in: fixture.directory.url)
            #expect(result.status == 0, "\(result.output.suffix(4000))")
            let serverErrors = fixture.server.accessLog.filter { $0.contains(#""status":5"#) }
            #expect(serverErrors.isEmpty, "\(serverErrors.prefix(5))")
        }
    }
}
