import Foundation
import Testing
import QuenchTestSupport

/// `quench registry` and `quench audit` run as a user would, including several processes at once.
@Suite struct RegistryCommandTests {
    /// A temp registry home with an openssl-made key, a roles config and a gated adapter.
    struct Workspace {
        let root: URL
        var home: String { root.appendingPathComponent("home").path }
        var config: String { root.appendingPathComponent("registry.yaml").path }
        var artifacts: String { root.appendingPathComponent("adapter").path }
        var gate: String { root.appendingPathComponent("gate.json").path }
        var lineage: String { root.appendingPathComponent("lineage.json").path }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("quench-registry-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("adapter"), withIntermediateDirectories: true)
            let key = root.appendingPathComponent("signing.key").path
            _ = try ProcessRunner.run("/usr/bin/openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
                .checked("openssl genpkey")
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
            let user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()
            try """
                signing_key: \(key)
                roles:
                  trainer-bot: [trainer]
                  approver-bot: [approver]
                  admin-bot: [admin]
                service_accounts:
                  trainer-bot: {run_by: [\(user)]}
                  approver-bot: {run_by: [\(user)]}
                  admin-bot: {run_by: [\(user)]}
                """.write(toFile: root.appendingPathComponent("registry.yaml").path, atomically: true, encoding: .utf8)
            let weights = root.appendingPathComponent("adapter/adapter_model.safetensors")
            try Data((0..<2048).map { UInt8(truncatingIfNeeded: $0 * 31) }).write(to: weights)
            try Data(#"{"r": 8}"#.utf8).write(to: root.appendingPathComponent("adapter/adapter_config.json"))
            let report: [String: Any] = [
                "schema": "quench.gate/v1", "passed": true, "reason": "ok", "quench_version": "0.1.0", "windowing": "disjoint",
                "context": 512, "gate": root.appendingPathComponent("gate.yaml").path, "base_model": "/models/base.gguf",
                "tuned": root.appendingPathComponent("adapter").path, "tuned_kind": "adapter", "results": [] as [Any],
                "evaluated_at": "2026-01-01T00:00:00Z",
                "checks": [["name": "ppl", "set": "eval", "metric": "perplexity", "threshold": 30.0, "value": 11.0, "passed": true]],
                "files": [["role": "adapter", "path": weights.path, "sha256": try Self.sha256(weights)]],
            ]
            try JSONSerialization.data(withJSONObject: report).write(to: URL(fileURLWithPath: gate))
            try Data("""
                {"base_model": {"source": "HuggingFaceTB/SmolLM2-135M", "commit": "c0ffee", "files": []},
                 "datasets": [{"path": "train.jsonl", "sha256": "\(String(repeating: "a", count: 64))", "records": 10}],
                 "job_spec_sha256": null, "hyperparameters": {"lr": 0.001}, "quench_version": "0.1.0"}
                """.utf8).write(to: URL(fileURLWithPath: lineage))
        }

        static func sha256(_ url: URL) throws -> String {
            try ProcessRunner.run("/usr/bin/sha256sum", [url.path]).standardOutput.split(separator: " ").first.map(String.init) ?? ""
        }

        var common: [String] { ["--home", home, "--config", config] }

        func register(name: String) -> [String] {
            ["registry", "register", "--name", name, "--artifacts", artifacts, "--gate", gate, "--lineage", lineage] + common
        }
    }

    /// Starts `quench arguments` as `actor` without waiting, so several run at once.
    func start(_ arguments: [String], as actor: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = QuenchBinary.url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["QUENCH_ACTOR": actor]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        return (process, pipe)
    }

    /// Runs `quench arguments` as `actor`.
    func run(_ arguments: [String], as actor: String) throws -> ProcessResult {
        try QuenchBinary.run(arguments, environment: ["QUENCH_ACTOR": actor])
    }

    @Test func registerApprovePromoteAndAuditFromTheCommandLine() throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let registered = try run(workspace.register(name: "support-bot") + ["--json"], as: "trainer-bot")
        #expect(registered.status == 0, "\(registered.output)")
        #expect(registered.output.contains(#""status" : "pending_approval""#))
        let selfApproval = try run(["registry", "approve", "support-bot@1"] + workspace.common, as: "trainer-bot")
        #expect(selfApproval.status != 0 && selfApproval.output.contains("needs the role approver"), "\(selfApproval.output)")
        let early = try run(["registry", "promote", "support-bot@1", "--to", "production"] + workspace.common, as: "approver-bot")
        #expect(early.status != 0 && early.output.contains("pending_approval"), "\(early.output)")
        let approved = try run(["registry", "approve", "support-bot@1", "--note", "looks good"] + workspace.common, as: "approver-bot")
        #expect(approved.status == 0, "\(approved.output)")
        let promoted = try run(["registry", "promote", "support-bot@1", "--to", "production"] + workspace.common, as: "approver-bot")
        #expect(promoted.status == 0 && promoted.output.contains("production of support-bot -> 1"), "\(promoted.output)")
        let listed = try run(["registry", "list"] + workspace.common, as: "admin-bot")
        #expect(listed.status == 0 && listed.output.contains("support-bot@1") && listed.output.contains("production"), "\(listed.output)")
        let verified = try run(["registry", "verify", "support-bot@1"] + workspace.common, as: "admin-bot")
        #expect(verified.status == 0, "\(verified.output)")
        let bomPath = workspace.root.appendingPathComponent("bom.json").path
        let bom = try run(["registry", "bom", "support-bot@1", "--output", bomPath] + workspace.common, as: "admin-bot")
        #expect(bom.status == 0, "\(bom.output)")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bomPath))) as? [String: Any]
        #expect(document?["specVersion"] as? String == "1.6")
        let audit = try run(["audit", "verify", "--json"] + workspace.common, as: "admin-bot")
        #expect(audit.status == 0 && audit.output.contains(#""entries" : 3"#), "\(audit.output)")
        let log = try run(["audit", "log"] + workspace.common, as: "admin-bot")
        #expect(log.output.contains("register") && log.output.contains("approver-bot") && log.output.contains("promote"), "\(log.output)")
        // Read-only commands do not resolve the actor; a change does, and an unlisted QUENCH_ACTOR is refused.
        let impostor = try run(["registry", "archive", "support-bot@1"] + workspace.common, as: "root-impostor")
        #expect(impostor.status != 0 && impostor.output.contains("QUENCH_ACTOR=root-impostor refused"), "\(impostor.output)")
    }

    @Test func concurrentProcessesLoseNothingAndKeepTheAuditLogIntact() throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        #expect(try run(["registry", "list"] + workspace.common, as: "admin-bot").status == 0, "creates the database")
        let names = ["alpha", "beta"]
        let perName = 6
        var registrations: [(Process, Pipe)] = []
        for index in 0..<(perName * names.count) {
            registrations.append(try start(workspace.register(name: names[index % names.count]), as: "trainer-bot"))
        }
        for (process, pipe) in registrations {
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(output)")
        }
        var mixed: [(Process, Pipe)] = []
        for name in names {
            for version in 1...perName {
                mixed.append(try start(["registry", "approve", "\(name)@\(version)"] + workspace.common, as: "approver-bot"))
            }
            mixed.append(try start(workspace.register(name: name), as: "trainer-bot"))
            mixed.append(try start(workspace.register(name: name), as: "trainer-bot"))
        }
        for (process, pipe) in mixed {
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(output)")
        }
        let listed = try run(["registry", "list", "--json"] + workspace.common, as: "admin-bot")
        let versions = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
        for name in names {
            let mine = versions.filter { $0["name"] as? String == name }
            #expect(mine.compactMap { $0["version"] as? Int }.sorted() == Array(1...(perName + 2)), "no lost or duplicated version numbers")
            #expect(mine.filter { $0["status"] as? String == "approved" }.count == perName)
        }
        let audit = try run(["audit", "verify", "--json"] + workspace.common, as: "admin-bot")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(audit.output.utf8)) as? [String: Any])
        let expectedEntries = names.count * (perName + 2) + names.count * perName
        #expect(result["ok"] as? Bool == true && result["entries"] as? Int == expectedEntries, "\(audit.output)")
        #expect(result["checkpoints"] as? Int == expectedEntries)
    }
}
