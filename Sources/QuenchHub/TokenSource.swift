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

    public init(environmentToken: HubToken?, tokenFile: URL, tokenCommand: [String]) {
        self.environmentToken = environmentToken
        self.tokenFile = tokenFile
        self.tokenCommand = tokenCommand
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

    /// Runs the command through `/usr/bin/env` (a PATH lookup, no shell); its standard error is dropped
    /// and its output never appears in an error.
    private func runTokenCommand() throws -> HubToken? {
        let program = tokenCommand.first ?? ""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = tokenCommand
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw HubError.tokenCommandFailed(program: program, reason: "it could not be started")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HubError.tokenCommandFailed(program: program, reason: "it exited with status \(process.terminationStatus)")
        }
        guard data.count <= 64 * 1024, let text = String(data: data, encoding: .utf8), let token = HubToken(text) else {
            throw HubError.tokenCommandFailed(program: program, reason: "its output is not a token (empty, binary or over 64 KiB)")
        }
        return token
    }
}
