import Foundation

/// Everything that can go wrong while making keys, signing a model directory or verifying its `model.sig`.
public enum SigningError: Error, Equatable, CustomStringConvertible {
    /// The model path is missing, or is not a plain directory.
    case notADirectory(path: String)
    /// A symbolic link inside the model: model_signing refuses them by default, so Quench does too.
    case symlinkRefused(path: String)
    /// A FIFO, socket or device inside the model.
    case specialFileRefused(path: String)
    /// A file could not be read (permissions, I/O error, too large for its kind).
    case unreadable(path: String, reason: String)
    /// A file could not be written.
    case writeFailed(path: String, reason: String)
    /// A private key file that group or others may read.
    case keyFileTooOpen(path: String, mode: String)
    /// No key file at the given path.
    case keyFileMissing(path: String)
    /// A key file is already there and overwriting was not asked for.
    case keyFileExists(path: String)
    /// A key file that does not hold a P-256 key in PEM form.
    case invalidKey(path: String, reason: String)
    /// The directory has no `model.sig`.
    case signatureMissing(path: String)
    /// `model.sig` is not a readable Sigstore bundle with a DSSE envelope of an in-toto statement.
    case malformedSignature(path: String, reason: String)
    /// `model.sig` is well formed but uses a format variant Quench does not verify.
    case unsupportedSignature(path: String, field: String, expected: String, found: String)
    /// The bundle names a different public key than the one given.
    case keyMismatch(path: String, expectedHint: String, foundHint: String)
    /// The ECDSA signature does not match the signed statement and the given public key.
    case badSignature(path: String)
    /// The statement's subject digest does not match its own list of files.
    case manifestInconsistent(path: String, expected: String, found: String)
    /// A signed file whose content changed.
    case fileModified(path: String, expected: String, found: String)
    /// A file present in the directory that the signature does not cover.
    case fileAdded(path: String)
    /// A signed file that is no longer in the directory.
    case fileRemoved(path: String)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            return "\(path) is not a directory (a model to sign or verify must be a plain directory, not a file or a symbolic link)"
        case .symlinkRefused(let path):
            return "\(path) is a symbolic link; model signatures cover regular files only (as model_signing does by default): replace it with a copy of its target"
        case .specialFileRefused(let path):
            return "\(path) is not a regular file or directory (FIFO, socket or device); remove it from the model directory"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .keyFileTooOpen(let path, let mode):
            return "private key \(path) has mode \(mode), so other users may read it; run `chmod 600 \(path)` (and consider replacing the key if it may have leaked)"
        case .keyFileMissing(let path):
            return "no key file at \(path); create a key pair with `quench keygen` (or pass --key with the key's path)"
        case .keyFileExists(let path):
            return "\(path) already exists; refusing to overwrite a key (pass --force to replace it, after making sure nothing still needs it)"
        case .invalidKey(let path, let reason):
            return "\(path) does not hold a usable ECDSA P-256 key in PEM form: \(reason)"
        case .signatureMissing(let path):
            return "no signature at \(path); sign the directory first with `quench sign`"
        case .malformedSignature(let path, let reason):
            return "\(path) is not a valid model signature bundle: \(reason)"
        case .unsupportedSignature(let path, let field, let expected, let found):
            return "\(path): unsupported \(field): expected \(expected), found \(found)"
        case .keyMismatch(let path, let expected, let found):
            return "\(path) was signed with a different key (its key hint is \(found), the given public key's is \(expected)); verify with the public key of the signer"
        case .badSignature(let path):
            return "\(path): the signature does not match the signed statement for this public key; the signature was tampered with or made with another key"
        case .manifestInconsistent(let path, let expected, let found):
            return "\(path): the statement's subject digest \(expected) does not match its file list (which hashes to \(found)); the signature file is corrupt"
        case .fileModified(let path, let expected, let found):
            return "\(path) was modified after signing (signed sha256 \(expected), now \(found))"
        case .fileAdded(let path):
            return "\(path) was added after signing and is not covered by the signature; remove it or sign the directory again"
        case .fileRemoved(let path):
            return "\(path) was signed but is missing from the directory"
        }
    }
}
