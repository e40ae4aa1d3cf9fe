import Foundation

/// This machine's processes as Linux's /proc shows them: how tests find the processes a program they
/// started went on to start (ranks, workers, a command's children) and see when they are gone.
public enum ProcessTable {
    /// The pid of every process now running.
    public static func all() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }

    /// The children of `pid` (started by any of its threads); empty when it has none or is gone.
    public static func children(of pid: pid_t) -> [pid_t] {
        let tasks = "/proc/\(pid)/task"
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []
        return threads.flatMap { thread in
            ((try? String(contentsOfFile: "\(tasks)/\(thread)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { pid_t($0) }
        }
    }

    /// The environment `pid` started with, as `NAME=value` entries; nil when it is gone or not ours to read.
    public static func environment(of pid: pid_t) -> [String]? {
        FileManager.default.contents(atPath: "/proc/\(pid)/environ").map(entries)
    }

    /// The program and arguments `pid` runs; nil when it is gone or not ours to read.
    public static func commandLine(of pid: pid_t) -> [String]? {
        FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map(entries)
    }

    /// Whether `pid` exists and is not a zombie waiting to be reaped.
    public static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    /// The NUL-separated strings of a /proc file.
    private static func entries(_ data: Data) -> [String] {
        data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
