import Foundation

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

    private func readTokenFile() throws -> HubToken? {
        let path = tokenFile.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw HubError.tokenFileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw HubError.tokenFileUnreadable(path: path, reason: "it is not a regular file")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw HubError.tokenFileTooOpen(path: path, mode: String(info.st_mode & 0o777, radix: 8))
        }
        guard info.st_size <= 64 * 1024 else { throw HubError.tokenFileUnreadable(path: path, reason: "it is larger than 64 KiB") }
        do {
            return HubToken(try String(contentsOf: tokenFile, encoding: .utf8))
        } catch {
            throw HubError.tokenFileUnreadable(path: path, reason: "it is not readable UTF-8 text")
        }
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
