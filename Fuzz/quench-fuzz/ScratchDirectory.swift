import Foundation

/// A folder of this process on tmpfs (/dev/shm when present) where each input is written as a file
/// for the loaders that only read files; removed when the process exits normally.
final class ScratchDirectory: Sendable {
    let url: URL

    /// This process's scratch folder, created on first use.
    static let shared: Result<ScratchDirectory, any Error> = Result { try ScratchDirectory() }

    private init() throws {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        url = URL(fileURLWithPath: base).appendingPathComponent("quench-fuzz-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? ScratchDirectory.shared.get().remove() }
    }

    /// Replaces the file `name` with `bytes` and returns its URL.
    func write(_ bytes: UnsafeRawBufferPointer, named name: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    /// The path of `name` in this folder, for files a target writes itself.
    func path(_ name: String) -> URL { url.appendingPathComponent(name) }

    private func remove() { try? FileManager.default.removeItem(at: url) }
}
