/// Everything that can go wrong sending a job to a compute backend and trusting what comes back; each
/// case names the file, host or job involved and says what to do.
public enum DispatchError: Error, Equatable, CustomStringConvertible {
    /// A manifest that cannot be read or parsed, or that breaks a rule (duplicate path, bad digest).
    case invalidManifest(file: String, reason: String)
    /// A path in a manifest that could escape its directory (absolute, `..`, empty parts).
    case unsafePath(file: String, path: String)
    /// A file whose SHA-256 differs from its manifest entry.
    case digestMismatch(path: String, expected: String, found: String)
    /// A file whose size differs from its manifest entry.
    case sizeMismatch(path: String, expected: Int64, found: Int64)
    /// A file the manifest lists that is absent.
    case missingFile(path: String)
    /// A file present that the manifest does not list.
    case unlistedFile(path: String)
    /// A symbolic link, device or other non-regular file where only regular files belong.
    case notARegularFile(path: String)
    /// The bundle was made by another Quench release than the one asked to run it.
    case versionMismatch(host: String, local: String, remote: String)
    /// The training configuration cannot be bundled.
    case invalidTrainingConfig(file: String, reason: String)
    /// A file that cannot be read, copied or written.
    case fileFailed(path: String, reason: String)
    /// `configs/compute.yaml` (or another compute file) is wrong.
    case invalidComputeConfig(file: String, key: String, reason: String)
    /// A bundle's `model-reference.json` that is not a well-formed reference.
    case invalidModelReference(file: String, reason: String)
    /// A backend name the compute file does not define.
    case unknownBackend(name: String, known: [String])
    /// A program that could not be started at all.
    case cannotStart(program: String, reason: String)
    /// The SSH client refused the host's key: it is not in the configured known-hosts file or differs.
    case hostKeyRejected(host: String, knownHosts: String)
    /// A command on a host that failed.
    case commandFailed(host: String, action: String, status: Int32, message: String)
    /// A backend answer that is not what the protocol expects.
    case unexpectedAnswer(host: String, action: String, answer: String)
    /// A job id the jobs record does not hold.
    case unknownJob(id: String)
    /// An operation that needs a finished, successful job.
    case jobNotSucceeded(id: String, state: String)

    public var description: String {
        switch self {
        case .invalidManifest(let file, let reason):
            return "manifest \(file) is not valid: \(reason); recreate the bundle"
        case .unsafePath(let file, let path):
            return "manifest \(file) lists '\(path)', which could escape its directory; refusing it"
        case .digestMismatch(let path, let expected, let found):
            return "\(path) has sha256 \(found) but its manifest says \(expected): it changed after the manifest was "
                + "written; do not trust it"
        case .sizeMismatch(let path, let expected, let found):
            return "\(path) is \(found) bytes but its manifest says \(expected): do not trust it"
        case .missingFile(let path):
            return "\(path) is listed in the manifest but absent"
        case .unlistedFile(let path):
            return "\(path) is not listed in the manifest: nothing unlisted is accepted"
        case .notARegularFile(let path):
            return "\(path) is a symbolic link or special file; a bundle holds regular files only"
        case .versionMismatch(let host, let local, let remote):
            return "\(host) runs Quench \(remote), but this bundle needs \(local); install Quench \(local) there "
                + "(the same release on both sides keeps training identical)"
        case .invalidTrainingConfig(let file, let reason):
            return "cannot bundle training configuration \(file): \(reason)"
        case .fileFailed(let path, let reason):
            return "\(path): \(reason)"
        case .invalidModelReference(let file, let reason):
            return "\(file): \(reason); no model can be fetched from it"
        case .invalidComputeConfig(let file, let key, let reason):
            return "\(file): key '\(key)': \(reason)"
        case .unknownBackend(let name, let known):
            let inProcess = name == BackendKind.inProcessName
                ? " (`local` is a job spec's training inside the quench process; a detached process on this machine is a backend of `kind: process`)"
                : ""
            return "no compute backend named '\(name)'; known: \(known.isEmpty ? "none" : known.joined(separator: ", "))\(inProcess)"
        case .cannotStart(let program, let reason):
            return "cannot run \(program): \(reason); is it installed and on PATH?"
        case .hostKeyRejected(let host, let knownHosts):
            return "the host key of \(host) is not the one in \(knownHosts) (or is missing there): refusing to "
                + "connect; check the key out of band and update the known-hosts file"
        case .commandFailed(let host, let action, let status, let message):
            return "\(action) on \(host) failed (exit \(status))" + (message.isEmpty ? "" : ": \(message)")
        case .unexpectedAnswer(let host, let action, let answer):
            return "\(action) on \(host) answered '\(answer.prefix(200))', which Quench does not understand"
        case .unknownJob(let id):
            return "no job '\(id)' in the jobs record; `quench jobs list` shows the submitted ones"
        case .jobNotSucceeded(let id, let state):
            return "job \(id) is \(state); only a succeeded job has results to collect"
        }
    }
}
