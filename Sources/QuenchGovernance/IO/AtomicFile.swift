import Foundation

/// Writes a file through a temporary file in the same directory, renamed into place when complete,
/// so readers never see half a file and a failure leaves the old file (if any) untouched.
final class AtomicFileWriter {
    private let destination: URL
    private let temporary: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var finished = false

    /// Opens a temporary file next to `destination` with the given permissions.
    init(destination: URL, permissions: Int = 0o644) throws {
        self.destination = destination
        temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil,
                                             attributes: [.posixPermissions: permissions]),
              let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw GovernanceError.unwritable(path: destination.path, reason: "cannot create a temporary file next to it")
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if !finished {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
        }
    }

    /// Appends bytes (buffered).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends bytes (buffered).
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    private func flush() throws {
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw GovernanceError.unwritable(path: destination.path, reason: error.localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the temporary file over the destination.
    func commit() throws {
        try flush()
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw GovernanceError.unwritable(path: destination.path, reason: error.localizedDescription)
        }
        guard rename(temporary.path, destination.path) == 0 else {
            throw GovernanceError.unwritable(path: destination.path, reason: String(cString: strerror(errno)))
        }
        finished = true
    }

    /// Writes `data` to `destination` atomically.
    static func write(_ data: Data, to destination: URL, permissions: Int = 0o644) throws {
        let writer = try AtomicFileWriter(destination: destination, permissions: permissions)
        try writer.write([UInt8](data))
        try writer.commit()
    }
}
