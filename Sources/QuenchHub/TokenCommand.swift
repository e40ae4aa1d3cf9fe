import Foundation

/// Runs `token_command` for its standard output, bounded in time and size: the program (a PATH lookup,
/// no shell) starts in a process group of its own with standard input and error on /dev/null; at most
/// `outputLimit` bytes are read, while it runs, so a chatty command cannot block on a full pipe; and
/// when it has not finished within the timeout its whole group is killed, so neither a stuck secrets
/// CLI nor a child it left holding the pipe can hang a pull. Its output never appears in an error.
struct TokenCommand {
    /// The program and its arguments.
    let arguments: [String]
    let timeoutSeconds: Double
    /// More output than this is not a token.
    static let outputLimit = 64 * 1024

    private var program: String { arguments.first ?? "" }

    /// The command's standard output once it has exited with status 0.
    func output() throws -> Data {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw failure("no pipe could be made (\(Self.errnoText()))") }
        defer { close(ends[0]) }
        // Neither end leaks into other programs; the child gets the write end through dup2, which clears the flag.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let pid: pid_t
        do {
            defer { close(ends[1]) }
            pid = try spawn(output: ends[1])
        }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutSeconds * 1_000_000_000)
        let output: Data
        let status: Int32
        do {
            output = try read(from: ends[0], until: deadline)
            status = try waitForExit(pid, until: deadline)
        } catch {
            kill(-pid, SIGKILL)
            Self.reap(pid)
            throw error
        }
        guard status == 0 else { throw failure(Self.describe(status)) }
        return output
    }

    /// Starts the program in a new process group, its standard output on `output`.
    private func spawn(output: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own group, to kill its children with it; SIGPIPE back to the default Quench ignores.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))

        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        guard result == 0 else { throw failure("it could not be started (\(String(cString: strerror(result))))") }
        return pid
    }

    /// Everything `descriptor` delivers until end of file.
    private func read(from descriptor: Int32, until deadline: UInt64) throws -> Data {
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { throw timedOut() }
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let waited = poll(&ready, 1, Int32(min((deadline - now) / 1_000_000 + 1, 1000)))
            if waited < 0, errno != EINTR { throw failure("its output could not be read (\(Self.errnoText()))") }
            guard waited > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw failure("its output could not be read (\(Self.errnoText()))")
            }
            if count == 0 { return output }
            output.append(contentsOf: buffer[0..<count])
            guard output.count <= Self.outputLimit else {
                throw failure("its output is over \(Self.outputLimit / 1024) KiB, which is not a token")
            }
        }
    }

    /// The wait status of `pid` once it exits before `deadline`.
    private func waitForExit(_ pid: pid_t, until deadline: UInt64) throws -> Int32 {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return status }
            if result < 0, errno != EINTR { throw failure("its exit could not be awaited (\(Self.errnoText()))") }
            guard DispatchTime.now().uptimeNanoseconds < deadline else { throw timedOut() }
            usleep(10_000)
        }
    }

    /// Waits for `pid` (already killed) so it leaves no zombie.
    private static func reap(_ pid: pid_t) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    }

    /// "it exited with status N" or "it was ended by signal N", for a wait status.
    private static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "it exited with status \((status >> 8) & 0xff)" : "it was ended by signal \(signal)"
    }

    private func timedOut() -> HubError {
        return failure("it did not finish within \(String(format: "%g", timeoutSeconds)) s and was killed with its child processes; "
                           + "raise timeouts.token_command_seconds in the hub configuration if it needs longer")
    }

    private func failure(_ reason: String) -> HubError { HubError.tokenCommandFailed(program: program, reason: reason) }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
