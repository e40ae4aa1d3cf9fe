import Foundation

/// The paths `quench gc` must never remove: everything a registry entry references (artifacts, the
/// runs that produced them). A protocol because the registry store is plugged in by the caller.
public protocol ProtectedPathSource {
    /// Absolute or working-directory-relative paths to keep.
    func protectedPaths() throws -> [String]
}

/// One run directory or log file considered by garbage collection.
public struct RetentionItem: Codable, Sendable, Equatable {
    /// `run` or `log`.
    public let kind: String
    /// The path.
    public let path: String
    /// Whole days since its newest modification.
    public let ageDays: Int
    /// Bytes it holds.
    public let bytes: Int
}

/// What garbage collection removed (or, in a dry run, would remove) and what it kept because the
/// registry references it.
public struct RetentionPlan: Codable, Sendable, Equatable {
    /// True when nothing was deleted.
    public let dryRun: Bool
    /// Items past retention, removed unless `dryRun`.
    public let removed: [RetentionItem]
    /// Items past retention kept because a registry entry references them.
    public let protected: [RetentionItem]

    /// Bytes freed (or that would be).
    public var freedBytes: Int { removed.reduce(0) { $0 + $1.bytes } }
}

/// Removes run directories and log files older than the retention policy, never one a registry
/// entry references.
public struct RetentionCollector: Sendable {
    /// Retention days and directories.
    public let policy: RetentionPolicy
    /// The directory the policy's relative directories are resolved against.
    public let root: URL

    /// A collector for `policy` with its directories under `root`.
    public init(policy: RetentionPolicy, root: URL) {
        self.policy = policy
        self.root = root
    }

    /// Finds what is past retention at `now` and, unless `dryRun`, removes it.
    /// A retention of 0 days keeps everything of that kind.
    public func collect(now: Date = Date(), protectedPaths: [String], dryRun: Bool) throws -> RetentionPlan {
        let keep = protectedPaths.map { resolve($0).path }
        var removed: [RetentionItem] = []
        var protected: [RetentionItem] = []
        let candidates = try items(kind: "run", directory: policy.runsDirectory, days: policy.runsDays, directories: true, now: now)
            + items(kind: "log", directory: policy.logsDirectory, days: policy.logsDays, directories: false, now: now)
        for item in candidates {
            let isProtected = keep.contains { $0 == item.path || $0.hasPrefix(item.path + "/") || item.path.hasPrefix($0 + "/") }
            if isProtected {
                protected.append(item)
                continue
            }
            if !dryRun {
                do {
                    try FileManager.default.removeItem(atPath: item.path)
                } catch {
                    throw GovernanceError.unwritable(path: item.path, reason: "cannot remove: \(error.localizedDescription)")
                }
            }
            removed.append(item)
        }
        return RetentionPlan(dryRun: dryRun, removed: removed, protected: protected)
    }

    private func resolve(_ path: String) -> URL {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
        return url.standardizedFileURL.resolvingSymlinksInPath()
    }

    /// The entries of `directory` (directories or regular files) older than `days`.
    private func items(kind: String, directory: String, days: Int, directories: Bool, now: Date) throws -> [RetentionItem] {
        guard days > 0 else { return [] }
        let base = resolve(directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base.path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { throw GovernanceError.notADirectory(path: base.path) }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: base.path).sorted()
        } catch {
            throw GovernanceError.unreadable(path: base.path, reason: error.localizedDescription)
        }
        var result: [RetentionItem] = []
        for name in names {
            let url = base.appendingPathComponent(name)
            guard let values = try? url.resourceValues(forKeys: [.isDirectoryKey, .isRegularFileKey, .isSymbolicLinkKey]),
                  values.isSymbolicLink != true,
                  directories ? values.isDirectory == true : values.isRegularFile == true else { continue }
            let (newest, bytes) = newestModification(url)
            let age = Int(now.timeIntervalSince(newest) / 86_400)
            if age >= days { result.append(RetentionItem(kind: kind, path: url.path, ageDays: age, bytes: bytes)) }
        }
        return result
    }

    /// The newest modification date of the regular files at or under `url` (the directory's own date
    /// when it holds none; creating a subdirectory does not make a run recent), and their bytes.
    private func newestModification(_ url: URL) -> (Date, Int) {
        let keys: [URLResourceKey] = [.contentModificationDateKey, .fileSizeKey, .isRegularFileKey]
        var newest: Date?
        var bytes = 0
        func add(_ values: URLResourceValues?) {
            guard let values, values.isRegularFile == true else { return }
            bytes += values.fileSize ?? 0
            if let date = values.contentModificationDate, date > (newest ?? .distantPast) { newest = date }
        }
        let own = try? url.resourceValues(forKeys: Set(keys))
        add(own)
        if let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: keys) {
            for case let child as URL in enumerator { add(try? child.resourceValues(forKeys: Set(keys))) }
        }
        return (newest ?? own?.contentModificationDate ?? .distantPast, bytes)
    }
}
