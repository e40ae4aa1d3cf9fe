import Foundation
import Testing
import QuenchTestSupport

/// `quench keygen`, `quench sign` and `quench verify` run as a user runs them, with QUENCH_HOME in a temp directory.
@Suite struct SigningCommandTests {
    func quench(home: URL, _ arguments: String...) throws -> ProcessResult {
        try QuenchBinary.run(arguments, environment: ["QUENCH_HOME": home.path])
    }

    @Test func keygenSignVerifyAndATamperedFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quench-sign-cli-\(UUID().uuidString)")
        let home = root.appendingPathComponent("home")
        let model = root.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("weights".utf8).write(to: model.appendingPathComponent("model.safetensors"))
        try Data("{}".utf8).write(to: model.appendingPathComponent("config.json"))

        let keygen = try quench(home: home, "keygen", "--json")
        #expect(keygen.status == 0, "\(keygen.output)")
        let pair = try #require(try JSONSerialization.jsonObject(with: Data(keygen.output.utf8)) as? [String: String])
        #expect(pair["privateKeyPath"] == home.appendingPathComponent("keys/signing.key").path)
        let again = try quench(home: home, "keygen")
        #expect(again.status != 0 && again.output.contains("--force"), "\(again.output)")

        let sign = try quench(home: home, "sign", model.path, "--json")
        #expect(sign.status == 0, "\(sign.output)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(sign.output.utf8)) as? [String: Any])
        #expect((manifest["files"] as? [[String: String]])?.map { $0["path"] } == ["config.json", "model.safetensors"])

        let verify = try quench(home: home, "verify", model.path)
        #expect(verify.status == 0 && verify.output.contains("verified 2 files"), "\(verify.output)")

        try Data("other weights".utf8).write(to: model.appendingPathComponent("model.safetensors"))
        let tampered = try quench(home: home, "verify", model.path)
        #expect(tampered.status != 0 && tampered.output.contains("model.safetensors was modified"), "\(tampered.output)")

        let privateKey = try #require(pair["privateKeyPath"])
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: privateKey)
        let exposed = try quench(home: home, "sign", model.path)
        #expect(exposed.status != 0 && exposed.output.contains("chmod 600"), "\(exposed.output)")

        let replaced = try quench(home: home, "keygen", "--force")
        #expect(replaced.status == 0, "\(replaced.output)")
        let oldSignature = try quench(home: home, "verify", model.path)
        #expect(oldSignature.status != 0 && oldSignature.output.contains("different key"), "\(oldSignature.output)")
    }
}
