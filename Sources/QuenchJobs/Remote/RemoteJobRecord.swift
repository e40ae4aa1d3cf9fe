import Foundation
import QuenchDispatch
import QuenchFiles
import QuenchSecurity

/// Where a run's remote training job is remembered: `train/remote-job.json`, written once the backend
/// accepted the job. Before submitting, `train/pending-bundle` names the attempt's own bundle folder;
/// the dispatcher records the job under that bundle in the jobs record (`$QUENCH_HOME/jobs`) as soon
/// as the backend accepts it, so a run killed in between still finds its job there.
struct RemoteJobRecord {
    let training: URL
    let store: JobStore

    var file: URL { training.appendingPathComponent("remote-job.json") }
    private var pendingFile: URL { training.appendingPathComponent("pending-bundle") }
    /// The verified results.
    var results: URL { training.appendingPathComponent("results") }

    /// A fresh bundle folder for a new attempt, remembered before the job is submitted; the previous
    /// attempt's bundle is removed.
    func newBundle() throws -> URL {
        if let previous = bundle { try? FileManager.default.removeItem(at: previous) }
        // The previous attempt's job ended (or there was none): only the new one may be found from now on.
        try? FileManager.default.removeItem(at: file)
        let name = "bundle-\(UUID().uuidString.prefix(8).lowercased())"
        try AtomicFile.write(Data(name.utf8), to: pendingFile)
        return training.appendingPathComponent(name)
    }

    /// The bundle folder of the latest attempt, if one was made: always `bundle-<8 hex>` inside the
    /// training folder, whatever the marker file says, since it is removed when done with.
    var bundle: URL? {
        guard let data = try? Data(contentsOf: pendingFile), data.count == 15 else { return nil }
        let name = String(decoding: data, as: UTF8.self)
        let suffix = name.dropFirst("bundle-".count)
        guard name.hasPrefix("bundle-"), suffix.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return training.appendingPathComponent(name)
    }

    func save(_ record: JobRecord) throws {
        try AtomicFile.writeJSON(record, to: file)
    }

    /// The job this run submitted, or nil when it submitted none; a record that cannot be read is an
    /// error naming the file, never a reason to submit a second job.
    func load() throws -> JobRecord? {
        if FileManager.default.fileExists(atPath: file.path) {
            do {
                return try JobRecord.read(from: file)
            } catch {
                throw RunError.remoteJobUnreadable(file: file.path, reason: "\(error)")
            }
        }
        guard let sent = bundle else { return nil }
        return store.latest(bundle: sent)
    }

    /// Cancels the job when the backend says it has not ended, and remembers that it was cancelled;
    /// returns its id, or nil when there was nothing to cancel. Gives up after `timeout` seconds.
    func cancelUnfinished(timeout: Double) throws -> String? {
        guard let record = try load(),
              let cancelled = try BackendSubmission.cancelUnfinished(record, store: store, seconds: timeout) else { return nil }
        try save(cancelled)
        return cancelled.job.id
    }
}
