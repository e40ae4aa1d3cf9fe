import ArgumentParser
import Foundation
import QuenchFiles
import QuenchSecurity

/// The `quench` command: secure fine-tuning jobs for small language models.
@main
struct Quench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quench",
        abstract: "Fine-tune small language models under governance rules: verified sources, checked data, quality gates, an audit trail.",
        version: QuenchVersion.current,
        subcommands: [Inspect.self, Generate.self, Train.self, Merge.self, Import.self, Eval.self, Gate.self,
                      Bench.self, Keygen.self, Sign.self, Verify.self, DataCommand.self, GC.self,
                      RegistryCommand.self, AuditCommand.self, Pull.self, VerifyCache.self, Run.self,
                      Runs.self, Jobs.self, JobsCancel.self])

    /// Runs the command; an error's message goes through the secret scrubber before it is printed, to a
    /// standard error that may be closed (`| head`) without ending the process with a signal.
    /// SIGPIPE is ignored: a child that died (an ssh interrupted with Ctrl-C, say) must turn a write to
    /// its pipe into an error to handle, not end Quench before it cancels remote work.
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if !(command is RankedCommand) { try RankedRun.requireAlone(command) }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode { exit(withError: error) }
            StandardStream.error.write(message(for: error) + "\n")
            Foundation.exit(code.rawValue)
        }
    }

    /// What the user is told about `error`, secrets scrubbed. A Foundation file error no library
    /// wrapped still reads "PATH: reason", not a Code=512 dump.
    static func message(for error: Error) -> String {
        Scrub.text(FileErrorText.message(error) ?? fullMessage(for: error))
    }
}

/// Quench's release version, shown by `quench --version`.
enum QuenchVersion {
    static let current = "0.1.0"
}
