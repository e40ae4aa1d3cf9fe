import Foundation
import Testing

/// Runs the built `quench` binary the way a user does.
@Suite struct CommandLineTests {
    func quench(_ arguments: String...) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = productsDirectory().appendingPathComponent("quench")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The folder holding the test bundle and the products built with it.
    func productsDirectory() -> URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0])
        while url.path != "/" && !url.lastPathComponent.hasSuffix(".xctest") { url.deleteLastPathComponent() }
        return url.path == "/" ? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            : url.deletingLastPathComponent()
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

    @Test func badOptionFailsWithAMessage() throws {
        let (status, output) = try quench("bench", "kernels", "--repeats", "0")
        #expect(status != 0)
        #expect(output.contains("--repeats must be at least 1"))
    }
}
