import Foundation

/// `mpirun` as the distributed tests run it: ranks on this machine, oversubscribed and unbound (two
/// ranks share two cores with other work), one OpenMP thread each, root allowed (CI runs as root).
/// Every run has a deadline, after which every rank and mpirun are killed: a hung collective fails
/// the test instead of hanging CI.
public enum MPIRun {
    /// Open MPI's launcher (Debian's openmpi-bin).
    public static let program = "/usr/bin/mpirun"
    /// What the tests need: with `.requiresPrograms(MPIRun.programs)` a test without it is skipped.
    public static let programs = [program]

    /// Open MPI refuses to start as root unless both say yes.
    public static let environment = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]

    /// One application context: `ranks` ranks running `program arguments` in `directory` (mpirun's
    /// `-wdir`), or in mpirun's own directory when nil. Several contexts make an MPMD job.
    public struct Context: Sendable {
        public let ranks: Int
        public let program: URL
        public let arguments: [String]
        public let directory: URL?

        public init(ranks: Int, program: URL, arguments: [String], directory: URL? = nil) {
            self.ranks = ranks
            self.program = program
            self.arguments = arguments
            self.directory = directory
        }
    }

    /// How a job ended, what mpirun and its ranks printed (standard output and error, interleaved),
    /// and how long it took.
    public struct Result: Sendable {
        public let status: Int32
        public let exited: Bool
        public let output: String
        public let seconds: Double

        /// Whether mpirun exited with status 0.
        public var succeeded: Bool { exited && status == 0 }
    }

    /// A job that was still running at its deadline; every rank and mpirun were killed.
    public struct TimedOut: Error, CustomStringConvertible {
        public let seconds: Double
        public let output: String

        public var description: String { "mpirun was still running after \(Int(seconds)) s and was killed: \(output.suffix(1500))" }
    }

    /// mpirun's arguments for `contexts`: `-np N [-wdir DIR] program arguments`, joined by `:`; every
    /// rank gets OMP_NUM_THREADS=`threadsPerRank`, by default 1 as the single-process runs the tests
    /// compare with (GEMM partitions depend on the team size); nil passes none.
    public static func arguments(_ contexts: [Context], threadsPerRank: Int? = 1) -> [String] {
        var arguments = ["--oversubscribe", "--bind-to", "none"]
        if let threadsPerRank { arguments += ["-x", "OMP_NUM_THREADS=\(threadsPerRank)"] }
        for (index, context) in contexts.enumerated() {
            if index > 0 { arguments.append(":") }
            arguments += ["-np", String(context.ranks)]
            if let directory = context.directory { arguments += ["-wdir", directory.path] }
            arguments += [context.program.path] + context.arguments
        }
        return arguments
    }

    /// The environment mpirun starts from: this process's, without OMP_NUM_THREADS when
    /// `threadsPerRank` is nil, so each rank takes its compute team's default.
    static func base(threadsPerRank: Int?) -> [String: String] {
        var base = ProcessInfo.processInfo.environment
        if threadsPerRank == nil { base["OMP_NUM_THREADS"] = nil }
        return base
    }

    /// Starts mpirun with `arguments` in the background, `extra` and root permission merged over
    /// `base`, everything it and the ranks print into `log`.
    public static func start(arguments: [String], environment extra: [String: String] = [:],
                             base: [String: String] = ProcessInfo.processInfo.environment, log: URL) throws -> Process {
        try ProcessRunner.start(URL(fileURLWithPath: program), arguments, environment: environment.merging(extra) { $1 },
                                base: base, log: log)
    }

    /// Starts mpirun on `contexts` in the background, everything it and the ranks print into `log`.
    public static func start(_ contexts: [Context], environment extra: [String: String] = [:], threadsPerRank: Int? = 1,
                             log: URL) throws -> Process {
        try start(arguments: arguments(contexts, threadsPerRank: threadsPerRank), environment: extra,
                  base: base(threadsPerRank: threadsPerRank), log: log)
    }

    /// Runs mpirun with `arguments` to its end; throws `TimedOut` (after killing everything) when it
    /// runs longer than `seconds`.
    public static func run(arguments: [String], seconds: Double = 180, environment extra: [String: String] = [:],
                           base: [String: String] = ProcessInfo.processInfo.environment) throws -> Result {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("quench-mpirun-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: log) }
        let started = Date()
        let mpirun = try start(arguments: arguments, environment: extra, base: base, log: log)
        let ended = waitForExit(mpirun, seconds: seconds)
        if !ended { killAll(mpirun) }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard ended else { throw TimedOut(seconds: seconds, output: output) }
        return Result(status: mpirun.terminationStatus, exited: mpirun.terminationReason == .exit, output: output,
                      seconds: Date().timeIntervalSince(started))
    }

    /// Runs mpirun on `contexts` to its end; throws `TimedOut` (after killing everything) when it
    /// runs longer than `seconds`.
    public static func run(_ contexts: [Context], seconds: Double = 180, environment extra: [String: String] = [:],
                           threadsPerRank: Int? = 1) throws -> Result {
        try run(arguments: arguments(contexts, threadsPerRank: threadsPerRank), seconds: seconds, environment: extra,
                base: base(threadsPerRank: threadsPerRank))
    }

    /// Waits up to `seconds` for `process` to end; whether it did.
    public static func waitForExit(_ process: Process, seconds: Double) -> Bool {
        Polling.waitUntil(seconds: seconds) { !process.isRunning }
    }

    /// The ranks mpirun started on this machine, by rank: its children, each knowing its rank from
    /// OMPI_COMM_WORLD_RANK in its environment. Empty before they start.
    public static func ranks(of mpirun: Process) -> [Int: pid_t] {
        var ranks: [Int: pid_t] = [:]
        for child in ProcessTable.children(of: mpirun.processIdentifier) {
            let variables = ProcessTable.environment(of: child) ?? []
            if let rank = variables.first(where: { $0.hasPrefix("OMPI_COMM_WORLD_RANK=") }).flatMap({ Int($0.dropFirst(21)) }) {
                ranks[rank] = child
            }
        }
        return ranks
    }

    /// Kills every rank and mpirun at once with SIGKILL, as a node failure or `scancel -s KILL` would,
    /// and returns when mpirun has ended and no rank runs any more. (Killing mpirun alone leaves its
    /// ranks running: Open MPI puts each in a process group of its own.)
    public static func killAll(_ mpirun: Process) {
        let ranks = ranks(of: mpirun).values
        for rank in ranks { kill(rank, SIGKILL) }
        kill(mpirun.processIdentifier, SIGKILL)
        mpirun.waitUntilExit()
        _ = Polling.waitUntil(seconds: 10) { ranks.allSatisfy { !ProcessTable.isRunning($0) } }
    }
}
