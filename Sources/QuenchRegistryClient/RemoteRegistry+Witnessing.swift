#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import QuenchFiles
import QuenchRegistry

/// The witnessing around every call: the server's key and latest checkpoint, and a consistency proof
/// from what this client saw before, checked by `AuditWitness` under a lock on the witness state, so two
/// threads or processes of this user never interleave their reads and writes of it.
extension RemoteRegistry {
    /// The answer of GET /v1/public-key.
    struct PublicKeyAnswer: Decodable {
        var keyID: String
        var pem: String

        enum CodingKeys: String, CodingKey { case keyID = "key_id", pem }
    }

    /// The answer of GET /v1/audit/consistency.
    struct ConsistencyAnswer: Decodable {
        var first: Int
        var second: Int
        var proof: [String]
    }

    /// Checks the server's audit log against what this client saw, then remembers the new checkpoint.
    /// - Throws: `RegistryClientError.logNotExtended`, `keyChanged` or `checkpointNotSigned` when the server's
    ///   log or key is not the one this client witnessed; the state file is then left as it was.
    @discardableResult
    public func witnessLog() throws -> WitnessState {
        try withStateLock {
            let key = try http.get(PublicKeyAnswer.self, "/v1/public-key")
            return try witness.observe(checkpoint: try latestCheckpoint(), publicKeyPEM: key.pem) { first, second in
                let answer = try http.get(ConsistencyAnswer.self, "/v1/audit/consistency?first=\(first)&second=\(second)")
                guard answer.first == first, answer.second == second else {
                    throw RegistryClientError.malformedAnswer(
                        url: url, reason: "asked for the proof from \(first) to \(second), got one from \(answer.first) to \(answer.second)")
                }
                return answer.proof
            }
        }
    }

    /// The server's latest signed checkpoint; nil while its log is empty.
    func latestCheckpoint() throws(RegistryClientError) -> AuditCheckpoint? {
        do {
            return try http.get(AuditCheckpoint.self, "/v1/audit/checkpoint")
        } catch .refused(_, 404, "no_checkpoint", _) {
            return nil
        }
    }

    /// Runs a read after witnessing the log.
    func witnessed<T>(_ body: () throws -> T) throws -> T {
        try witnessLog()
        return try body()
    }

    /// Runs a state change between two witnessings, so this client also remembers the log with its own change.
    func changing<T>(_ body: () throws -> T) throws -> T {
        try witnessLog()
        let result = try body()
        try witnessLog()
        return result
    }

    /// Runs `body` holding an exclusive `flock` on `<state file>.lock` (created 0600 in a 0700 folder).
    private func withStateLock<T>(_ body: () throws -> T) throws -> T {
        let lockURL = witness.stateFile.appendingPathExtension("lock")
        let folder = lockURL.deletingLastPathComponent()
        let lock: RegularFile
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            lock = try RegularFile(path: lockURL.path, access: .readWriteCreating(mode: 0o600), followingLinks: false)
        } catch {
            throw RegistryClientError.stateUnwritable(path: lockURL.path, reason: FileErrorText.reason(error, path: lockURL.path))
        }
        while flock(lock.descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw RegistryClientError.stateUnwritable(path: lockURL.path, reason: String(cString: strerror(errno)))
            }
        }
        defer { flock(lock.descriptor, LOCK_UN) }
        return try body()
    }
}
