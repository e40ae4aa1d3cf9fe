import Foundation

/// A machine Quench runs shell scripts on and copies files to and from: this one, or one reached
/// over SSH. Backends are written once against this seam.
public protocol CommandHost: Sendable {
    /// How messages name the machine (`this machine`, `quench@gpu-box:22`).
    var name: String { get }
    /// Runs `script` with `sh` (given on standard input, so it never shows in a process list).
    func run(script: String) async throws -> CommandResult
    /// Runs `script` and hands each line it prints to `line` until it ends or the task is cancelled.
    func stream(script: String, line: @escaping @Sendable (String) -> Void) async throws
    /// Copies the local folder `local` to `remotePath`, which must not exist yet.
    func upload(_ local: URL, to remotePath: String) async throws
    /// Copies the remote folder `remotePath` to `local`, which must not exist yet.
    func download(_ remotePath: String, to local: URL) async throws
    /// Writes `secret` to `remotePath` as a file only its owner can read (0600), passing it on standard
    /// input so it never appears in an argument list or a script.
    func writeSecret(_ secret: Data, to remotePath: String) async throws
}

extension CommandHost {
    /// Runs `script` and throws unless it exits 0; `action` names it in the error.
    func check(_ script: String, action: String) async throws -> String {
        let result = try await run(script: script)
        guard result.status == 0 else {
            throw DispatchError.commandFailed(host: name, action: action, status: result.status,
                                              message: CommandHostLines.last(result.errorOutput + result.output))
        }
        return result.output
    }
}

/// Quotes text for a POSIX shell: always single quotes, so nothing inside is expanded.
public enum ShellQuote {
    /// `text` as one shell word.
    public static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
