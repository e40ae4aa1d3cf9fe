import Foundation

/// A Slurm cluster for one test: munged, slurmctld and one slurmd per node from Debian on localhost,
/// every file (munge key, slurm.conf, spool, state, logs) in a temporary folder, commands pointed at it
/// with SLURM_CONF. No accounting database: `scontrol` reports finished jobs (kept for MinJobAge).
/// Always `stop()` it (defer).
///
/// One node is `localhost` with 8 CPUs. Several nodes (n1, n2, ...; 4 CPUs each) are slurmds on
/// their own ports of this machine (Debian's Slurm is built with multiple-slurmd support), each with
/// its own TmpFS: Slurm's PMIx plugin makes its per-step folder there, and two nodes sharing /tmp
/// would both try to create the same one.
public final class SlurmCluster {
    /// The folder holding the munge key, slurm.conf, spool, state and logs.
    public let folder: URL
    /// slurm.conf.
    public let configuration: URL
    /// The node names, in slurm.conf order.
    public let nodes: [String]
    /// Daemon pids in start order: munged, slurmctld, then one slurmd per node.
    private var pids: [pid_t] = []

    /// The environment Slurm's commands need to find this cluster.
    public var environment: [String: String] { ["SLURM_CONF": configuration.path] }

    /// Programs the cluster needs: with `.requiresPrograms(SlurmCluster.programs)` a test without them is skipped.
    public static let programs = ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sinfo",
                                  "/usr/bin/squeue", "/usr/bin/scancel", "/usr/bin/sbatch"]

    /// Starts munged, slurmctld and a slurmd for each of `nodes` nodes, and waits until all are idle.
    public init(nodes: Int = 1) throws {
        guard nodes >= 1 else { throw TestSetupError.command("a Slurm test cluster needs at least one node, not \(nodes)") }
        folder = try TemporaryDirectory.create("slurm")
        configuration = folder.appendingPathComponent("slurm.conf")
        self.nodes = nodes == 1 ? ["localhost"] : (1...nodes).map { "n\($0)" }
        do {
            try start()
        } catch {
            stop()
            throw error
        }
    }

    private func start() throws {
        let fileManager = FileManager.default
        for name in ["munge", "state", "log", "run"] + nodes.flatMap({ ["spool/\($0)", "tmp/\($0)"] }) {
            try fileManager.createDirectory(at: folder.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.appendingPathComponent("munge").path)
        let key = folder.appendingPathComponent("munge/munge.key")
        var random = SystemRandomNumberGenerator()
        try Data((0..<1024).map { _ in UInt8.random(in: 0...255, using: &random) }).write(to: key)
        try fileManager.setAttributes([.posixPermissions: 0o400], ofItemAtPath: key.path)
        let socket = folder.appendingPathComponent("munge/munge.socket").path
        try launch("/usr/sbin/munged", [
            "-f", "--socket=\(socket)", "--key-file=\(key.path)",
            "--pid-file=\(folder.appendingPathComponent("munge/munged.pid").path)",
            "--log-file=\(folder.appendingPathComponent("log/munged.log").path)",
            "--seed-file=\(folder.appendingPathComponent("munge/seed").path)",
        ], pidFile: "munge/munged.pid")
        try require(seconds: 15, "munged socket") { fileManager.fileExists(atPath: socket) }

        var ports: [Int] = []
        while ports.count < 1 + nodes.count {
            let port = try LoopbackPort.free()
            if !ports.contains(port) { ports.append(port) }
        }
        let controllerPort = ports[0]
        let path = { (name: String) in self.folder.appendingPathComponent(name).path }
        let cpus = nodes.count == 1 ? 8 : 4
        let nodeLines = zip(nodes, ports.dropFirst()).map { name, port in
            "NodeName=\(name) NodeHostname=localhost NodeAddr=127.0.0.1 Port=\(port) CPUs=\(cpus) RealMemory=1000 State=UNKNOWN"
        }
        let config = """
            ClusterName=quenchtest
            SlurmctldHost=localhost
            SlurmctldPort=\(controllerPort)
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            CredType=cred/munge
            AuthInfo=socket=\(socket)
            StateSaveLocation=\(path("state"))
            SlurmdSpoolDir=\(path("spool"))/%n
            TmpFS=\(path("tmp"))/%n
            SlurmctldPidFile=\(path("run/slurmctld.pid"))
            SlurmdPidFile=\(path("run"))/slurmd-%n.pid
            SlurmctldLogFile=\(path("log/slurmctld.log"))
            SlurmdLogFile=\(path("log"))/slurmd-%n.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            MpiDefault=none
            SwitchType=switch/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            SlurmdParameters=config_overrides
            ReturnToService=2
            KillWait=1
            OverTimeLimit=0
            MinJobAge=900
            MessageTimeout=5
            InactiveLimit=0
            SchedulerType=sched/builtin
            \(nodeLines.joined(separator: "\n"))
            PartitionName=debug Nodes=\(nodes.joined(separator: ",")) Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
            """
        try Data((config + "\n").utf8).write(to: configuration)
        try launch("/usr/sbin/slurmctld", ["-i", "-f", configuration.path], pidFile: "run/slurmctld.pid")
        try require(seconds: 30, "slurmctld port \(controllerPort)") { LoopbackPort.isListening(controllerPort) }
        for node in nodes {
            try launch("/usr/sbin/slurmd", ["-N", node, "-f", configuration.path], pidFile: "run/slurmd-\(node).pid")
        }
        try require(seconds: 60, "every node idle") {
            let answer = try ProcessRunner.run("/usr/bin/sinfo", ["-h", "-N", "-o", "%T"], environment: environment)
            let states = answer.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            return answer.status == 0 && states.count == nodes.count && states.allSatisfy { $0 == "idle" }
        }
    }

    private func launch(_ program: String, _ arguments: [String], pidFile: String) throws {
        pids.append(try Daemon.start(program, arguments, pidFile: folder.appendingPathComponent(pidFile),
                                                         environment: environment))
    }

    /// Waits for `condition`, failing with the daemons' logs if it never holds or a daemon died.
    private func require(seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let pids = self.pids
        let ok = try Polling.waitUntil(seconds: seconds) { try pids.allSatisfy { kill($0, 0) == 0 } && condition() }
        guard ok else {
            let logs = (["munged.log", "slurmctld.log"] + nodes.map { "slurmd-\($0).log" }).compactMap { name in
                (try? String(contentsOf: folder.appendingPathComponent("log/\(name)"), encoding: .utf8)).map {
                    "--- \(name):\n" + $0.split(separator: "\n").suffix(15).joined(separator: "\n")
                }
            }
            throw TestSetupError.timeout("Slurm test cluster: no \(what) after \(seconds) s\n" + logs.joined(separator: "\n"))
        }
    }

    /// Cancels what still runs, stops the slurmds, slurmctld and munged (in that order), removes the folder.
    public func stop() {
        if pids.count == 2 + nodes.count {
            _ = try? ProcessRunner.run("/usr/bin/scancel", ["--quiet", "--full", "--partition=debug"], environment: environment)
            _ = Polling.waitUntil(seconds: 5) {
                let answer = try? ProcessRunner.run("/usr/bin/squeue", ["-h"], environment: environment)
                return answer?.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true
            }
        }
        for pid in pids.reversed() { Daemon.stop(pid) }
        pids = []
        try? FileManager.default.removeItem(at: folder)
    }
}
