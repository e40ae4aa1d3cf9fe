import Foundation
import QuenchFiles
import QuenchModel
import QuenchSecurity

/// The files a run verified, by path, with the sha256 each must still have when read: later stages
/// read only bytes that hash to the verified value, so a file changed after verification (on a
/// resumed run, or between the check and the read) is refused, never trained or evaluated on.
struct VerifiedInputs: Sendable {
    /// What a file was verified as.
    private struct Record: Sendable {
        let role: InputRole
        let sha256: String
    }

    private let records: [String: Record]

    /// The files `checks` verified, under their roles.
    init(_ checks: [VerifyStage.Check]) {
        records = Self.records(checks.map { ($0.role, $0.file) })
    }

    private init(records: [String: Record]) {
        self.records = records
    }

    /// The same files plus `files` (hashed when written, e.g. training's outputs) under `role`.
    func adding(_ files: [FileRecord], role: InputRole) -> VerifiedInputs {
        VerifiedInputs(records: records.merging(Self.records(files.map { (role, $0) })) { first, _ in first })
    }

    /// A model loader check: the bytes read from a file must hash to its verified sha256.
    var modelCheck: FileCheck {
        let inputs = self
        return FileCheck { url, bytes in try inputs.require(FileDigest.sha256(of: bytes), for: url.path) }
    }

    /// Copies the verified file at `source` to `destination` (atomically, mode 0600), refusing the
    /// copy unless the bytes written hash to the verified sha256: whoever reads the copy reads
    /// verified bytes, whatever happens to the original afterwards.
    func copy(_ source: String, to destination: URL) throws {
        let folder = destination.deletingLastPathComponent()
        let partial = folder.appendingPathComponent(".\(destination.lastPathComponent).partial")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw AtomicFile.Failure.unwritable(path: destination.path, reason: FileErrorText.reason(error, path: folder.path))
        }
        unlink(partial.path)
        defer { unlink(partial.path) }
        try require(FileDigest.sha256(copying: URL(fileURLWithPath: source), to: partial), for: source)
        guard rename(partial.path, destination.path) == 0 else {
            throw AtomicFile.Failure.unwritable(path: destination.path, reason: String(cString: strerror(errno)))
        }
    }

    private func require(_ found: String, for path: String) throws {
        guard let record = records[Self.key(path)] else { throw RunError.unverifiedInput(path: path) }
        guard found == record.sha256 else {
            throw RunError.changedSinceVerified(role: record.role, path: path, verified: record.sha256, found: found)
        }
    }

    private static func records(_ files: [(role: InputRole, file: FileRecord)]) -> [String: Record] {
        Dictionary(files.map { (key($0.file.path), Record(role: $0.role, sha256: $0.file.sha256)) },
                   uniquingKeysWith: { first, _ in first })
    }

    /// Paths as `FileRecord` keeps them.
    private static func key(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}
