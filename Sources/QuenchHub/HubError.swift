/// Errors of the hub client and the download cache; each names the file, URL or setting involved and
/// says what to do. No case ever carries a token.
public enum HubError: Error, Equatable, CustomStringConvertible {
    case invalidConfiguration(file: String, key: String, reason: String)
    case invalidRepository(repo: String, reason: String)
    case insecureURL(url: String)
    case hostNotAllowed(url: String, host: String)
    case tokenFileTooOpen(path: String, mode: String)
    case tokenFileUnreadable(path: String, reason: String)
    case tokenCommandFailed(program: String, reason: String)
    case transport(url: String, reason: String)
    case tooManyRedirects(url: String, limit: Int)
    case badRedirect(url: String, reason: String)
    case unauthorized(url: String)
    case forbidden(url: String)
    case notFound(url: String, what: String)
    case rateLimited(url: String, attempts: Int)
    case serverError(url: String, status: Int, attempts: Int)
    case unexpectedStatus(url: String, status: Int)
    case malformedResponse(url: String, reason: String)
    case unsafeFileName(name: String, reason: String)
    case nothingToFetch(repo: String, refused: [String])
    case commitMismatch(file: String, expected: String, found: String)
    case hashMismatch(file: String, algorithm: String, expected: String, actual: String)
    case pinMismatch(file: String, pinned: String, hub: String)
    case pinnedFileMissing(file: String, repo: String)
    case sizeMismatch(file: String, expected: Int64, actual: Int64)
    case offlineMissing(repo: String, revision: String, what: String)
    case cacheIO(path: String, reason: String)
    case manifestInvalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let file, let key, let reason):
            return "\(file): '\(key)' \(reason)"
        case .invalidRepository(let repo, let reason):
            return "'\(repo)' is not a repository id (\(reason)); write it as org/name or org/name@revision"
        case .insecureURL(let url):
            return "\(url) is not https; Quench only downloads over https (fix the endpoint or the server's redirect)"
        case .hostNotAllowed(let url, let host):
            return "\(host) (from \(url)) is not in allowed_hosts; add it to configs/hub.yaml if you trust it"
        case .tokenFileTooOpen(let path, let mode):
            return "refusing the token file \(path): its mode \(mode) lets group or others read it; run `chmod 600 \(path)`"
        case .tokenFileUnreadable(let path, let reason):
            return "cannot read the token file \(path): \(reason)"
        case .tokenCommandFailed(let program, let reason):
            return "token_command \(program) failed: \(reason); check that it runs and prints the token on standard output"
        case .transport(let url, let reason):
            return "request to \(url) failed: \(reason)"
        case .tooManyRedirects(let url, let limit):
            return "\(url) redirected more than \(limit) times; the hub or its proxy is misconfigured"
        case .badRedirect(let url, let reason):
            return "refusing the redirect from \(url): \(reason)"
        case .unauthorized(let url):
            return "\(url) answered 401: the repository needs a token; set HF_TOKEN, write it to the token file (mode 600), or set token_command"
        case .forbidden(let url):
            return "\(url) answered 403: the token lacks access; accept the model's terms on the hub or ask its owner for access"
        case .notFound(let url, let what):
            return "\(url) answered 404: \(what) does not exist; check the spelling, the revision, and that the token can see private repos"
        case .rateLimited(let url, let attempts):
            return "\(url) still rate-limited (429) after \(attempts) attempts; wait and retry, or raise retries.attempts"
        case .serverError(let url, let status, let attempts):
            return "\(url) answered \(status) after \(attempts) attempts; the hub is failing, retry later"
        case .unexpectedStatus(let url, let status):
            return "\(url) answered an unexpected \(status)"
        case .malformedResponse(let url, let reason):
            return "\(url) sent a malformed answer: \(reason)"
        case .unsafeFileName(let name, let reason):
            return "the hub listed an unsafe file name '\(name)' (\(reason)); refusing the whole snapshot"
        case .nothingToFetch(let repo, let refused):
            let list = refused.isEmpty ? "" : "; refused: " + refused.prefix(10).joined(separator: ", ")
            return "nothing to fetch from \(repo) under the file policy\(list). Pickle (.bin, .pt, .pth, .pkl, .ckpt) "
                + "and code (.py) files are never fetched; look for a safetensors or GGUF version"
        case .commitMismatch(let file, let expected, let found):
            return "\(file) was served from commit \(found), not \(expected); the revision moved, pull again"
        case .hashMismatch(let file, let algorithm, let expected, let actual):
            return "\(file): \(algorithm) mismatch, expected \(expected), got \(actual); the partial file was deleted"
        case .pinMismatch(let file, let pinned, let hub):
            return "\(file): the job pins sha256 \(pinned) but the hub lists \(hub); update the pin only if the change is expected"
        case .pinnedFileMissing(let file, let repo):
            return "\(file) is pinned but \(repo) has no such file (or the file policy excludes it)"
        case .sizeMismatch(let file, let expected, let actual):
            return "\(file): expected \(expected) bytes, received \(actual); the partial file was deleted"
        case .offlineMissing(let repo, let revision, let what):
            return "offline (HF_HUB_OFFLINE=1) and \(what) of \(repo)@\(revision) is not in the cache; pull it online first"
        case .cacheIO(let path, let reason):
            return "cache error at \(path): \(reason)"
        case .manifestInvalid(let path, let reason):
            return "snapshot manifest \(path) is unreadable: \(reason); pull the snapshot again"
        }
    }
}
