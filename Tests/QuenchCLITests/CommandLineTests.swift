import Foundation
import Testing
import QuenchTestSupport

/// Runs the built `quench` binary the way a user does.
@Suite struct CommandLineTests {
    func quench(_ arguments: String...) throws -> (status: Int32, output: String) { try quench(arguments) }

    func quench(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try QuenchBinary.run(arguments)
        return (result.status, result.output)
    }

    init() {}

    /// Runs `quench arguments` with standard output and error on a pipe whose reader is already closed.
    func quenchWithClosedPipe(_ arguments: [String]) throws -> Process {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        let process = Process()
        process.executableURL = QuenchBinary.url
        process.arguments = arguments
        let writer = FileHandle(fileDescriptor: ends[1], closeOnDealloc: false)
        process.standardOutput = writer
        process.standardError = writer
        try process.run()
        process.waitUntilExit()
        return process
    }

    @Test func helpListsEverySubcommandWithOneLine() throws {
        let (status, output) = try quench("--help")
        #expect(status == 0)
        #expect(output.contains("SUBCOMMANDS:") && output.contains("bench"))
        let (benchStatus, benchOutput) = try quench("bench", "--help")
        #expect(benchStatus == 0 && benchOutput.contains("kernels"))
    }

    @Test func versionPrintsTheRelease() throws {
        let (status, output) = try quench("--version")
        #expect(status == 0)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test(.requiresDemoModel) func inspectReportsTheRealModelAsJSON() throws {
        let model = DemoModelFile.url.path
        let (status, output) = try quench("inspect", "--model", model, "--json")
        #expect(status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(json["parameterCount"] as? Int == 134_515_008)
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.first?["sha256"] as? String == "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53")
    }

    @Test(.requiresDemoModel) func greedyChatGenerationAnswersAndIsReproducible() throws {
        let model = DemoModelFile.url.path
        let arguments = ["generate", "--model", model, "--chat", "--max-tokens", "24", "--json",
                         "--prompt", "What is the capital of France?"]
        let (status, output) = try quench(arguments)
        #expect(status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let text = try #require(json["text"] as? String)
        #expect(text.contains("Paris"), "answer: \(text)")
        let repeated = try JSONSerialization.jsonObject(with: Data(try quench(arguments).output.utf8)) as? [String: Any]
        #expect(repeated?["text"] as? String == text, "greedy decoding is deterministic")
    }

    @Test(.requiresDemoModel) func importWritesAHuggingFaceDirectoryThatLoadsBack() throws {
        let model = DemoModelFile.url.path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quench-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("smollm2-hf").path
        let (status, output) = try quench(["import", model, "--out", out])
        #expect(status == 0, "\(output)")
        for file in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file) missing")
        }
        let (inspectStatus, summary) = try quench(["inspect", "--model", out])
        #expect(inspectStatus == 0 && summary.contains("134,515,008"))
        let (again, message) = try quench(["import", model, "--out", out])
        #expect(again != 0 && message.contains("already exists"))
    }

    @Test func badOptionFailsWithAMessage() throws {
        let (status, output) = try quench("bench", "kernels", "--repeats", "0")
        #expect(status != 0)
        #expect(output.contains("--repeats must be at least 1"))
    }
}
