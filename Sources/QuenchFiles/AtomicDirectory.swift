import Foundation

/// Writes a whole folder so that readers find the earlier folder or the new one, never a half-written
/// one: the files go into a hidden sibling, `.<name>.<pid>.partial`, renamed into place once all of
/// them are written. The folder-sized counterpart of `AtomicFile`: checkpoints, exported models and
/// trained adapters are written through it.
public enum AtomicDirectory {
    /// Creates an empty staging folder beside `directory`, runs `fill` on it, then moves it to
    /// `directory`. With `replacing`, a folder already there is removed once `fill` succeeded; without,
    /// one there is `AtomicFile.Failure.exists`. Whatever fails, the staging folder is removed and an
    /// earlier `directory` is left as it was (`fill`'s own errors are rethrown as they are).
    public static func write(to directory: URL, replacing: Bool, _ fill: (URL) throws -> Void) throws {
        let manager = FileManager.default
        let staging = directory.deletingLastPathComponent()
            .appendingPathComponent(".\(directory.lastPathComponent).\(getpid()).partial")
        try? manager.removeItem(at: staging)
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw AtomicFile.Failure.unwritable(path: directory.path, reason: FileErrorText.reason(error, path: staging.path))
        }
        do {
            try fill(staging)
            if manager.fileExists(atPath: directory.path) {
                guard replacing else { throw AtomicFile.Failure.exists(path: directory.path) }
                do {
                    try manager.removeItem(at: directory)
                } catch {
                    throw AtomicFile.Failure.unwritable(path: directory.path, reason: FileErrorText.reason(error, path: directory.path))
                }
            }
            do {
                try manager.moveItem(at: staging, to: directory)
            } catch {
                throw AtomicFile.Failure.unwritable(path: directory.path, reason: FileErrorText.reason(error, path: directory.path))
            }
        } catch {
            try? manager.removeItem(at: staging)
            throw error
        }
    }
}
