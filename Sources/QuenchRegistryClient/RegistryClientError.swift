/// Errors of the registry client; each names the registry URL or file involved and says what to do.
/// No case ever carries a token.
public enum RegistryClientError: Error, Equatable, CustomStringConvertible {
    /// The server's audit log is not an extension of the one this client saw (truncated or rewritten).
    case logNotExtended(url: String, seenSize: Int, seenRoot: String, detail: String, stateFile: String)
    /// The server offers a public key other than the one pinned for it.
    case keyChanged(url: String, pinnedKeyID: String, offeredKeyID: String, stateFile: String)
    /// A checkpoint the server sent is not signed by the pinned key.
    case checkpointNotSigned(url: String, treeSize: Int, keyID: String)
    /// A public key (the server's answer or the configured pin file) is not a P-256 PEM public key.
    case publicKeyInvalid(source: String, reason: String)
    /// The witness state file cannot be read, or is not a private file of the current user.
    case stateUnreadable(path: String, reason: String)
    /// The witness state file's contents are not a witness state for this registry.
    case stateInvalid(path: String, reason: String)
    /// The witness state file cannot be written.
    case stateUnwritable(path: String, reason: String)
    /// The registry URL is not one the client uses (not http(s), no host, credentials or a query in it).
    case invalidURL(url: String, reason: String)
    /// Plain http to a host that is not the loopback interface.
    case insecureURL(url: String)
    /// Neither QUENCH_REGISTRY_TOKEN nor QUENCH_REGISTRY_TOKEN_FILE gives a token.
    case tokenMissing(url: String)
    /// The token file cannot be read or is not a private file of the current user.
    case tokenFileUnreadable(path: String, reason: String)
    /// The server could not be reached, or the exchange failed midway.
    case unreachable(url: String, reason: String)
    /// The server refused the token (401): absent, unknown, revoked or expired.
    case unauthorized(url: String)
    /// The server refused the request with its error answer (403, 404, 409, 413, 422, ...).
    case refused(url: String, status: Int, code: String, message: String)
    /// The server's answer is not what the API promises.
    case malformedAnswer(url: String, reason: String)
    /// A request the remote registry cannot carry (named by `what`).
    case unsupported(url: String, what: String)
    /// A downloaded version is not signed by the pinned key over exactly its recorded files.
    case signatureMismatch(subject: String, url: String, reason: String)

    /// The stable code of a server refusal (`forbidden`, `alias_moved`...), nil for other errors.
    public var serverCode: String? {
        if case .refused(_, _, let code, _) = self { return code }
        return nil
    }

    public var description: String {
        switch self {
        case .logNotExtended(let url, let seenSize, let seenRoot, let detail, let stateFile):
            return "the registry's audit log at \(url) is not an extension of the log this client saw at tree size "
                + "\(seenSize) (root \(seenRoot.prefix(12))…): \(detail). It was truncated or rewritten by whoever runs "
                + "the server: do not trust this registry, and report it to its operators and your security team "
                + "(this client's record of the log is \(stateFile))"
        case .keyChanged(let url, let pinnedKeyID, let offeredKeyID, let stateFile):
            return "the registry at \(url) signs with key \(offeredKeyID.prefix(16))…, not the key \(pinnedKeyID.prefix(16))… "
                + "this client pinned: its signatures and audit log cannot be trusted. If its operators rotated the key, "
                + "confirm the new key with them out of band, then remove \(stateFile) (or set QUENCH_REGISTRY_PUBLIC_KEY "
                + "to the new key's PEM file)"
        case .checkpointNotSigned(let url, let treeSize, let keyID):
            return "the audit checkpoint for tree size \(treeSize) from \(url) is not signed by the pinned key "
                + "\(keyID.prefix(16))…: the server's answer is forged or damaged; do not trust this registry"
        case .publicKeyInvalid(let source, let reason):
            return "\(source): not a P-256 public key in PEM form (\(reason))"
        case .stateUnreadable(let path, let reason):
            return "cannot read the registry witness state \(path): \(reason)"
        case .stateInvalid(let path, let reason):
            return "the registry witness state \(path) is damaged: \(reason); if you did not edit it, treat this as "
                + "tampering, otherwise remove it (the client then trusts the registry's current key and log afresh)"
        case .stateUnwritable(let path, let reason):
            return "cannot write the registry witness state \(path): \(reason)"
        case .invalidURL(let url, let reason):
            return "the registry URL '\(url)' is not usable: \(reason) (expected https://HOST[:PORT][/PATH])"
        case .insecureURL(let url):
            return "the registry URL \(url) is plain http to a host that is not this machine: use https:// "
                + "(plain http is only allowed to 127.0.0.1, ::1 or localhost)"
        case .tokenMissing(let url):
            return "no token for the registry at \(url): set QUENCH_REGISTRY_TOKEN or QUENCH_REGISTRY_TOKEN_FILE "
                + "(a file only you can read, mode 0600) to the token `quench registry users add` printed"
        case .tokenFileUnreadable(let path, let reason):
            return "cannot use the registry token file \(path) (QUENCH_REGISTRY_TOKEN_FILE): \(reason)"
        case .unreachable(let url, let reason):
            let hint = url.hasPrefix("https://") ? " (a server whose certificate comes from a private CA needs QUENCH_REGISTRY_CA_BUNDLE set to that CA's PEM file)" : ""
            return "cannot reach the registry at \(url): \(reason)\(hint)"
        case .unauthorized(let url):
            return "the registry at \(url) refused the token: set QUENCH_REGISTRY_TOKEN or QUENCH_REGISTRY_TOKEN_FILE "
                + "to a valid token"
        case .refused(let url, let status, let code, let message):
            return "the registry at \(url) refused (\(status) \(code)): \(message)"
        case .malformedAnswer(let url, let reason):
            return "the registry at \(url) answered something this client cannot use: \(reason)"
        case .unsupported(let url, let what):
            return "the registry at \(url) does not take \(what); run without --registry to use the embedded registry"
        case .signatureMismatch(let subject, let url, let reason):
            return "\(subject) from \(url) does not verify with the pinned key: \(reason); do not deploy it, "
                + "and report it to the registry's operators"
        }
    }
}
