import Foundation

/// A one-node Slurm cluster for one test: munged, slurmctld and slurmd from Debian on localhost, every
/// file (munge key, slurm.conf, spool, state, logs) in a temporary folder, commands pointed at it with
/// SLURM_CONF. No accounting database: `scontrol` reports finished jobs (kept for MinJobAge).
/// Always `stop()` it (defer).
public final class SlurmCluster {
    /// The folder holding the munge key, slurm.conf, spool, state and logs.
    public let folder: URL
    /// slurm.conf.
    public let configuration: URL
    /// Daemon pids in start order: munged, slurmctld, slurmd.
    private var pids: [pid_t] = []

    /// The environment Slurm's commands need to find this cluster.
    public var environment: [String: String] { ["SLURM_CONF": configuration.path] }

    /// Programs the cluster needs: with `.requiresPrograms(SlurmCluster.programs)` a test without them is skipped.
    public static let programs = ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sinfo",
                                  "/usr/bin/squeue", "/usr/bin/scancel", "/usr/bin/sbatch"]

    /// Starts munged, slurmctld and slurmd and waits until the node is idle.
    public init() throws {
        folder = try TemporaryDirectory.create("slurm")
        configuration = folder.appendingPathComponent("slurm.conf")
        do {
            try start()
        } catch {
            stop()
            throw error
        }
    }

    private func start() throws {
        let fileManager = FileManager.default
        for name in ["munge", "spool", "state", "log", "run"] {
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

        let controllerPort = try LoopbackPort.free()
        var nodePort = try LoopbackPort.free()
        while nodePort == controllerPort { nodePort = try LoopbackPort.free() }
        let path = { (name: String) in self.folder.appendingPathComponent(name).path }
        let config = """
            ClusterName=quenchtest
            SlurmctldHost=localhost
            SlurmctldPort=\(controllerPort)
            SlurmdPort=\(nodePort)
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            CredType=cred/munge
            AuthInfo=socket=\(socket)
            StateSaveLocation=\(path("state"))
            SlurmdSpoolDir=\(path("spool"))
            SlurmctldPidFile=\(path("run/slurmctld.pid"))
            SlurmdPidFile=\(path("run/slurmd.pid"))
            SlurmctldLogFile=\(path("log/slurmctld.log"))
            SlurmdLogFile=\(path("log/slurmd.log"))
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
            NodeName=localhost CPUs=8 RealMemory=1000 State=UNKNOWN
            PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
            """
        try Data((config + "\n").utf8).write(to: configuration)
        try launch("/usr/sbin/slurmctld", ["-i", "-f", configuration.path], pidFile: "run/slurmctld.pid")
        try require(seconds: 30, "slurmctld port \(controllerPort)") { LoopbackPort.isListening(controllerPort) }
        try launch("/usr/sbin/slurmd", ["-N", "localhost", "-f", configuration.path], pidFile: "run/slurmd.pid")
        try require(seconds: 60, "the node to become idle") {
            let answer = try ProcessRunner.run("/usr/bin/sinfo", ["-h", "-o", "%T"], environment: environment)
            return answer.status == 0 && answer.output.trimmingCharacters(in: .whitespacesAndNewlines) == "idle"
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
            let logs = ["munged.log", "slurmctld.log", "slurmd.log"].compactMap { name in
                (try? String(contentsOf: folder.appendingPathComponent("log/\(name)"), encoding: .utf8)).map {
                    "--- \(name):\n" + $0.split(separator: "\n").suffix(15).joined(separator: "\n")
                }
            }
            throw TestSetupError.timeout("Slurm test cluster: no \(what) after \(seconds) s\n" + logs.joined(separator: "\n"))
        }
    }

    /// Cancels what still runs, stops slurmd, slurmctld and munged (in that order), removes the folder.
    public func stop() {
        if pids.count == 3 {
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
