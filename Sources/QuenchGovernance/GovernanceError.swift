/// Errors of data governance: reading policies and datasets, pseudonym keys, redaction, retention and
/// erasure. Each case names the file (and line or key) involved and says what to do.
public enum GovernanceError: Error, Equatable, CustomStringConvertible {
    /// A file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// A file could not be written (or moved into place).
    case unwritable(path: String, reason: String)
    /// A line longer than the reader accepts.
    case lineTooLong(file: String, line: Int, limit: Int)
    /// A pseudonym key file readable by others than its owner.
    case keyFileTooOpen(path: String, mode: String)
    /// A pseudonym key file too short to be a key.
    case keyTooShort(path: String, bytes: Int, minimum: Int)
    /// An output that would overwrite the input.
    case outputIsInput(path: String)
    /// A directory that should exist does not.
    case notADirectory(path: String)
    /// An erase value too short to identify a person or a secret.
    case eraseValueTooShort(length: Int, minimum: Int)
    /// The registry refused a lookup or an update during erasure.
    case registryFailed(reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .unwritable(let path, let reason):
            return "\(path): cannot write: \(reason); check that the directory exists and is writable"
        case .lineTooLong(let file, let line, let limit):
            return "\(file):\(line): line is longer than \(limit) bytes; is this a JSONL file (one record per line)?"
        case .keyFileTooOpen(let path, let mode):
            return "\(path): pseudonym key file has mode \(mode); others must not read it: run `chmod 600 \(path)`"
        case .keyTooShort(let path, let bytes, let minimum):
            return "\(path): pseudonym key holds \(bytes) bytes, at least \(minimum) are needed; "
                + "make one with `head -c 32 /dev/urandom > \(path) && chmod 600 \(path)`"
        case .outputIsInput(let path):
            return "\(path): the output would replace the input; the original is never modified, choose another --out"
        case .notADirectory(let path):
            return "\(path): not a directory"
        case .eraseValueTooShort(let length, let minimum):
            return "the value to erase has \(length) characters; at least \(minimum) are needed so that it "
                + "identifies a person or a secret rather than matching most records"
        case .registryFailed(let reason):
            return "registry: \(reason)"
        }
    }
}
