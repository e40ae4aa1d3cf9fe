import Foundation
import Testing
import QuenchTestSupport

/// What a careless or hostile environment does to the CLI: a reader that has gone, a damaged registry
/// database, a run folder with a corrupt state.json, an output path that cannot be written. Each ends
/// with exit status 1 and a message naming the file, never with a signal or a Foundation dump.
@Suite struct HostileEnvironmentTests {
    let cli = CommandLineTests()
    let registry = RegistryCommandTests()

    @Test func aClosedPipeEndsTheCommandWithoutASignal() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("quench-missing-\(UUID().uuidString).yaml")
        let failing = try cli.quenchWithClosedPipe(["train", missing.path])
        #expect(failing.terminationReason == .exit, "ended by signal \(failing.terminationStatus)")
        #expect(failing.terminationStatus == 1)
        let help = try cli.quenchWithClosedPipe(["--help"])
        #expect(help.terminationReason == .exit, "ended by signal \(help.terminationStatus)")
    }

    @Test func aRegistryDatabaseMissingAnAuditColumnIsNamed() throws {
        let workspace = try RegistryCommandTests.Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let registered = try registry.run(workspace.register(name: "support-bot"), as: "trainer-bot")
        #expect(registered.status == 0, "\(registered.output)")
        let database = URL(fileURLWithPath: workspace.home).appendingPathComponent("registry.sqlite").path
        let sqlite = try ProcessRunner.run("/usr/bin/sqlite3", [database, "DROP TRIGGER audit_log_no_update; ALTER TABLE audit_log DROP COLUMN actor;"])
        try #require(sqlite.status == 0, "sqlite3 could not alter the test database: \(sqlite.output)")
        let audit = try registry.run(["audit", "log"] + workspace.common, as: "admin-bot")
        let output = audit.output
        #expect(audit.exited, "ended by signal \(audit.status): \(output)")
        #expect(audit.status == 1)
        #expect(output.contains(database) && output.contains("table audit_log, column actor"), "\(output)")
    }

    @Test func aCorruptStateFileIsNamedWithTheKeyAtFault() throws {
        let run = try TemporaryDirectory.create("corrupt-run")
        defer { try? FileManager.default.removeItem(at: run) }
        let state = run.appendingPathComponent("state.json")
        try Data(#"{"schema": "quench.run/v1", "job": 3}"#.utf8).write(to: state)
        let typed = try cli.quench("runs", "show", run.path)
        #expect(typed.status == 1)
        #expect(typed.output.contains(state.path) && typed.output.contains("at job: expected String"), "\(typed.output)")
        #expect(!typed.output.contains("CodingKeys"), "\(typed.output)")
        try Data("{\"schema\": \n nope".utf8).write(to: state)
        let broken = try cli.quench("runs", "show", run.path)
        #expect(broken.status == 1 && broken.output.contains(state.path) && broken.output.contains("not valid JSON"), "\(broken.output)")
        #expect(!broken.output.contains("NSCocoaErrorDomain"), "\(broken.output)")
    }

    @Test func anUnwritableOutputPathIsNamedWithTheReason() throws {
        let workspace = try RegistryCommandTests.Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        #expect(try registry.run(workspace.register(name: "support-bot"), as: "trainer-bot").status == 0)
        // A regular file where a folder must be: fails for root too (unlike a read-only folder).
        let blocker = workspace.root.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let bom = blocker.appendingPathComponent("bom.json").path
        let written = try registry.run(["registry", "bom", "support-bot@1", "--output", bom] + workspace.common, as: "admin-bot")
        #expect(written.status == 1)
        #expect(written.output.contains(bom) && written.output.lowercased().contains("not a directory"), "\(written.output)")
        #expect(!written.output.contains("NSCocoaErrorDomain") && !written.output.contains("Code="), "\(written.output)")
        let keys = try cli.quench("keygen", "--out", blocker.appendingPathComponent("keys").path)
        #expect(keys.status == 1 && keys.output.lowercased().contains("not a directory"), "\(keys.output)")
        #expect(!keys.output.contains("NSCocoaErrorDomain") && !keys.output.contains("Code="), "\(keys.output)")
    }

    @Test func aResumedRunRefusesAModelFileChangedAfterVerification() throws {
        let jobs = try RunJobTests()
        defer { try? FileManager.default.removeItem(at: jobs.folder) }
        let spec = try jobs.spec(name: "rehash", steps: 4)
        let first = try jobs.run(["run", spec])
        let run = try jobs.onlyRun(named: "rehash")
        let stages = try #require(try jobs.json(run.appendingPathComponent("state.json"))["stages"] as? [[String: Any]])
        #expect(stages.contains { $0["name"] as? String == "verify" && $0["status"] as? String == "succeeded" }, "\(first.output)")
        // One byte of the weights changes; size and modification time stay, as a careful attacker keeps them.
        let weights = jobs.folder.appendingPathComponent("tiny-llama/model.safetensors")
        try Self.keepingTimes(of: weights) {
            let handle = try FileHandle(forUpdating: weights)
            let end = try handle.seekToEnd()
            try handle.seek(toOffset: end - 1)
            let last = try #require(try handle.read(upToCount: 1)?.first)
            try handle.seek(toOffset: end - 1)
            try handle.write(contentsOf: Data([last ^ 0x01]))
            try handle.close()
        }
        // More steps: training runs again (it would anyway, had it failed), while fetch and verify are kept.
        let text = try String(contentsOfFile: spec, encoding: .utf8).replacingOccurrences(of: "max_steps: 4", with: "max_steps: 6")
        try Data(text.utf8).write(to: URL(fileURLWithPath: spec))
        let resumed = try jobs.run(["run", "--resume", run.path])
        #expect(resumed.status == 2, "a failed stage ends `quench run` with 2")
        #expect(resumed.output.contains("model.safetensors changed after it was verified"), "\(resumed.output)")
    }

    @Test func aResumedRunTrainsOnTheVerifiedCopyOfATrainFileChangedAfterVerification() throws {
        let jobs = try RunJobTests()
        defer { try? FileManager.default.removeItem(at: jobs.folder) }
        let spec = try jobs.spec(name: "datacopy", steps: 4)
        let first = try jobs.run(["run", spec])
        let run = try jobs.onlyRun(named: "datacopy")
        #expect(Self.succeeded("train", in: try jobs.json(run.appendingPathComponent("state.json"))), "\(first.output)")
        // The training file becomes garbage of the same size and modification time after verification.
        let train = jobs.folder.appendingPathComponent("train.jsonl")
        let size = try Data(contentsOf: train).count
        try Self.keepingTimes(of: train) { try Data(repeating: UInt8(ascii: "x"), count: size).write(to: train) }
        let text = try String(contentsOfFile: spec, encoding: .utf8).replacingOccurrences(of: "max_steps: 4", with: "max_steps: 6")
        try Data(text.utf8).write(to: URL(fileURLWithPath: spec))
        let resumed = try jobs.run(["run", "--resume", run.path])
        // The verification is kept (size and times are unchanged), and training reads its verified copy,
        // not the changed original.
        #expect(resumed.output.contains("verify (unchanged, kept)"), "\(resumed.output)")
        #expect(Self.succeeded("train", in: try jobs.json(run.appendingPathComponent("state.json"))), "\(resumed.output)")
        #expect(resumed.output.contains("6 steps"), "\(resumed.output)")
        #expect(try jobs.sha256(run.appendingPathComponent("inputs/train.jsonl")) != jobs.sha256(train))
    }

    /// Runs `change` on the file at `url`, then gives the file back its access and modification times to
    /// the nanosecond, as a careful attacker does (a `Date` round trip loses the nanoseconds).
    static func keepingTimes(of url: URL, _ change: () throws -> Void) throws {
        var before = stat()
        try #require(stat(url.path, &before) == 0)
        try change()
        var times = [before.st_atim, before.st_mtim]
        try #require(utimensat(AT_FDCWD, url.path, &times, 0) == 0)
        var after = stat()
        try #require(stat(url.path, &after) == 0 && after.st_size == before.st_size)
    }

    /// Whether the run state `state` (state.json) records stage `name` as succeeded.
    static func succeeded(_ name: String, in state: [String: Any]) -> Bool {
        (state["stages"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == name && $0["status"] as? String == "succeeded" }
    }
}
