import Foundation
import QuenchSecurity

/// Where the access token comes from, in order: `HF_TOKEN`, the token file, then `token_command`.
/// Never from argv or job specs. The file must not be readable by group or others.
public struct TokenSource: Sendable, Equatable {
    /// `HF_TOKEN` from the environment, if set.
    public var environmentToken: HubToken?
    /// `HF_TOKEN_PATH`, else `$HF_HOME/token`, else `~/.cache/huggingface/token`.
    public var tokenFile: URL
    /// A program and its arguments (no shell) printing the token on standard output, e.g. a secrets-manager CLI.
    public var tokenCommand: [String]
    /// How long `tokenCommand` may run before it is killed with its child processes.
    public var tokenCommandTimeoutSeconds: Double
    /// `tokenCommandTimeoutSeconds` unless `timeouts.token_command_seconds` says otherwise.
    public static let defaultCommandTimeoutSeconds: Double = 30

    public init(environmentToken: HubToken?, tokenFile: URL, tokenCommand: [String],
                tokenCommandTimeoutSeconds: Double = defaultCommandTimeoutSeconds) {
        self.environmentToken = environmentToken
        self.tokenFile = tokenFile
        self.tokenCommand = tokenCommand
        self.tokenCommandTimeoutSeconds = tokenCommandTimeoutSeconds
    }

    /// The token and a description of where it came from (never the token itself); nil when no source has one.
    public func resolve() throws -> (token: HubToken, origin: String)? {
        if let environmentToken { return (environmentToken, "HF_TOKEN") }
        if let token = try readTokenFile() { return (token, "token file \(tokenFile.path)") }
        if let program = tokenCommand.first, let token = try runTokenCommand() { return (token, "token_command \(program)") }
        return nil
    }

    /// The token in the token file, read as a secret by `KeyFile` (a private regular file of the user,
    /// checked on the open descriptor, so a FIFO cannot hang it); nil when there is no such file.
    private func readTokenFile() throws -> HubToken? {
        let path = tokenFile.path
        let data: Data
        do {
            data = try KeyFile.readSecret(tokenFile)
        } catch KeyFile.Failure.missing {
            return nil
        } catch KeyFile.Failure.tooOpen(_, let mode) {
            throw HubError.tokenFileTooOpen(path: path, mode: mode)
        } catch let failure as KeyFile.Failure {
            throw HubError.tokenFileUnreadable(path: path, reason: failure.reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw HubError.tokenFileUnreadable(path: path, reason: "it is not UTF-8 text")
        }
        return HubToken(text)
    }

    /// Runs the command (bounded by `tokenCommandTimeoutSeconds`); its output never appears in an error.
    private func runTokenCommand() throws -> HubToken? {
        let data = try TokenCommand(arguments: tokenCommand, timeoutSeconds: tokenCommandTimeoutSeconds).output()
        guard let text = String(data: data, encoding: .utf8), let token = HubToken(text) else {
            throw HubError.tokenCommandFailed(program: tokenCommand.first ?? "",
                                              reason: "its output is not a token (empty or binary)")
        }
        return token
    }
}
