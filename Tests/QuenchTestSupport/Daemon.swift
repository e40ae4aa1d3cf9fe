import Foundation
import Testing

/// Programs that fork into the background (sshd, munged, slurmctld, slurmd), known by pid.
public enum Daemon {
    /// Starts a daemon that forks into the background and writes `pidFile`; returns its pid once the
    /// file names a live process. Daemons are not kept as `Process` children: sshd and Slurm close
    /// the descriptors Foundation watches, which it mistakes for an exit and then blocks reaping.
    /// Its output goes to `pidFile` + ".out". Spawned with posix_spawn and every descriptor above 2
    /// closed: a daemon keeps what it inherits, and Foundation's Process then never sees its parent end.
    public static func start(_ program: String, _ arguments: [String], pidFile: URL, environment: [String: String] = [:]) throws -> pid_t {
        let logPath = pidFile.path + ".out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc ≥ 2.34 has posix_spawn_file_actions_addclosefrom_np, but its header hides it from Swift.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        let symbol = try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"),
                                  "this C library cannot close inherited descriptors in posix_spawn")
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var parent: pid_t = 0
        let spawned = posix_spawn(&parent, program, &actions, nil, argv, envp)
        try #require(spawned == 0, "cannot start \(program): error \(spawned)")
        var status: Int32 = 0
        while waitpid(parent, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        try #require(status == 0, "\(program) did not start (wait status \(status)): \(output)")
        var pid: pid_t = 0
        let started = Polling.waitUntil(seconds: 20) {
            guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
                  let value = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 1 else { return false }
            pid = value
            return kill(value, 0) == 0
        }
        try #require(started, "\(program) wrote no pid file at \(pidFile.path): \(output)")
        return pid
    }

    /// Sends SIGTERM to a daemon started by `start`, then SIGKILL if it has not gone in 5 s.
    public static func stop(_ pid: pid_t) {
        guard pid > 1, kill(pid, SIGTERM) == 0 else { return }
        if !Polling.waitUntil(seconds: 5, { kill(pid, 0) != 0 }) { kill(pid, SIGKILL) }
    }
}
