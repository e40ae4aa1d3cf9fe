import Foundation
import Testing
import QuenchTestSupport

/// Hostile model files and numbers through the CLI: exit status 1 with a message naming the file
/// and key, never a signal or a hang.
@Suite("Hostile model inputs on the command line", .timeLimit(.minutes(2)))
struct HostileModelCommandTests {
    let cli = CommandLineTests()
    let folder: URL

    init() throws {
        folder = try TemporaryDirectory.create("hostile")
    }

    /// The reference tiny Llama as a model directory, with its config.json edited by `edit`.
    func tinyLlama(config edit: (String) -> String) throws -> URL {
        let model = try TinyLlamaFixture.copy(into: folder)
        let config = model.appendingPathComponent("config.json")
        try Data(edit(try String(contentsOf: config, encoding: .utf8)).utf8).write(to: config)
        return model
    }

    @Test("a FIFO named x.gguf ends with exit 1 naming it, without blocking")
    func fifoModel() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("x.gguf")
        try #require(mkfifo(fifo.path, 0o600) == 0)
        let (status, output) = try cli.quench("inspect", "--model", fifo.path)
        #expect(status == 1 && output.contains(fifo.path) && output.contains("FIFO"), "\(output)")
    }

    @Test("hidden_size 2^24 in config.json ends with exit 1 naming the tensor, not an allocation failure")
    func hugeHiddenSize() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try tinyLlama { $0.replacingOccurrences(of: "\"hidden_size\": 64", with: "\"hidden_size\": 16777216") }
        let (status, output) = try cli.quench("inspect", "--model", model.path)
        #expect(status == 1 && output.contains("model.embed_tokens.weight") && output.contains("16777216"), "\(output)")
    }

    @Test("a negative rms_norm_eps ends with exit 1 naming the key")
    func negativeEpsilon() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try tinyLlama { $0.replacingOccurrences(of: "\"rms_norm_eps\": 1e-05", with: "\"rms_norm_eps\": -1e-05") }
        let (status, output) = try cli.quench("inspect", "--model", model.path)
        #expect(status == 1 && output.contains("config.json") && output.contains("rms_norm_eps"), "\(output)")
    }

    @Test("--max-tokens 9223372036854775807 ends with exit 1 naming the context, not a trap", .requiresDemoModel)
    func hugeMaxTokens() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = DemoModelFile.url.path
        let (status, output) = try cli.quench("generate", "--model", model, "--prompt", "Hi",
                                              "--max-tokens", "9223372036854775807")
        #expect(status == 1 && output.contains("exceed the model's context"), "\(output)")
    }

    @Test("generate into a reader that has already gone ends without a signal", .requiresDemoModel)
    func closedStandardOutput() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = DemoModelFile.url.path
        let process = try cli.quenchWithClosedPipe(["generate", "--model", model, "--prompt", "Once upon a time",
                                                    "--max-tokens", "4"])
        #expect(process.terminationReason == .exit, "ended by signal \(process.terminationStatus)")
    }
}
