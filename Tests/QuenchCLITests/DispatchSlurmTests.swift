import Foundation
import Testing
import QuenchTestSupport

/// Training dispatched to a real one-node Slurm cluster: one job, submitted through an SSH login node,
/// succeeds and its results are verified; one is cancelled; one runs past its one-minute limit and is
/// reported as timed out. The three run
/// at once against one cluster start, so the test takes about as long as Slurm takes to time one out.
/// Then `quench run` sends a job spec's training through the same cluster; and a job of two tasks
/// trains data-parallel, its ranks started by srun and by mpirun.
@Suite struct DispatchSlurmTests {
    @Test(.requiresPrograms(SlurmCluster.programs + SSHServer.programs)) func succeededCancelledAndTimedOutJobsAreReportedAsSuch() throws {
        let cluster = try SlurmCluster()
        defer { cluster.stop() }
        let folder = try TemporaryDirectory.create("slurm-jobs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let home = folder.appendingPathComponent("home")
        let model = try TinyLlamaFixture.copy(into: folder)
        // A login node: sshd whose sessions find this cluster, as a real login node's do.
        let login = try SSHServer(extraConfig: "SetEnv SLURM_CONF=\(cluster.configuration.path)")
        defer { login.stop() }
        let compute = folder.appendingPathComponent("compute.yaml")
        try Data("""
            backends:
              cluster:
                kind: slurm
                work_directory: \(folder.path)/shared
                quench: \(DispatchTestSupport.quench.path)
                poll_seconds: 1
                slurm: {partition: debug, time_limit: "1", cpus: 1}
              through-login:
                kind: slurm
                host: 127.0.0.1
                port: \(login.port)
                user: \(login.user)
                identity_file: \(login.clientKey.path)
                known_hosts_file: \(login.knownHosts.path)
                work_directory: \(folder.path)/shared
                quench: \(DispatchTestSupport.quench.path)
                poll_seconds: 1
                slurm: {partition: debug, time_limit: "1", cpus: 1}
            """.utf8).write(to: compute)
        let environment = cluster.environment
        func submit(_ name: String, steps: Int, backend: String = "cluster") throws -> String {
            let config = try DispatchTestSupport.trainingConfig(in: folder, model: model, steps: steps, name: name)
            let (status, output) = try DispatchTestSupport.run(
                ["jobs", "submit", config.path, "--backend", backend, "--compute", compute.path, "--json"],
                home: home, environment: environment)
            try #require(status == 0, "\(output)")
            return try DispatchTestSupport.submittedID(output)
        }
        func status(_ id: String) throws -> [String: Any] {
            let (code, output) = try DispatchTestSupport.run(["jobs", "status", id, "--json"], home: home, environment: environment)
            try #require(code == 0, "\(output)")
            return try DispatchTestSupport.json(output)
        }

        let started = Date()
        let succeeding = try submit("short", steps: 3, backend: "through-login")
        let cancelled = try submit("cancelled", steps: 1_000_000)
        let timingOut = try submit("endless", steps: 1_000_000)

        #expect(try Polling.waitUntil(seconds: 60) { try status(cancelled)["state"] as? String == "running" })
        let (cancelStatus, cancelOutput) = try DispatchTestSupport.run(["cancel", cancelled], home: home, environment: environment)
        #expect(cancelStatus == 0, "\(cancelOutput)")

        let finalStates: Set<String> = ["succeeded", "failed", "cancelled", "timed_out", "preempted", "out_of_memory"]
        var final: [String: [String: Any]] = [:]
        _ = try Polling.waitUntil(seconds: 240) {
            for id in [succeeding, cancelled, timingOut] where final[id] == nil {
                let answer = try status(id)
                if let state = answer["state"] as? String, finalStates.contains(state) { final[id] = answer }
            }
            if final.count < 3 { Thread.sleep(forTimeInterval: 2) }
            return final.count == 3
        }
        print("Slurm: three jobs settled in \(String(format: "%.0f", Date().timeIntervalSince(started))) s")
        #expect(final[succeeding]?["state"] as? String == "succeeded", "\(String(describing: final[succeeding]))")
        #expect(final[succeeding]?["rawState"] as? String == "COMPLETED")
        #expect(final[cancelled]?["state"] as? String == "cancelled", "\(String(describing: final[cancelled]))")
        #expect(final[timingOut]?["state"] as? String == "timed_out", "\(String(describing: final[timingOut]))")
        #expect(final[timingOut]?["rawState"] as? String == "TIMEOUT")

        let results = folder.appendingPathComponent("results")
        let (collectStatus, collectOutput) = try DispatchTestSupport.run(
            ["jobs", "collect", succeeding, "--into", results.path], home: home, environment: environment)
        #expect(collectStatus == 0, "\(collectOutput)")
        #expect(FileManager.default.fileExists(atPath: results.appendingPathComponent("adapter/adapter_model.safetensors").path))
        let (logStatus, logs) = try DispatchTestSupport.run(["jobs", "logs", succeeding], home: home, environment: environment)
        #expect(logStatus == 0 && logs.contains("verified bundle") && logs.contains("trained 3 steps"), "\(logs)")
        let (refused, refusal) = try DispatchTestSupport.run(["jobs", "collect", timingOut], home: home, environment: environment)
        #expect(refused != 0 && refusal.contains("timed_out"), "\(refusal)")

        // A job spec naming the cluster trains through it, with the spec's time limit over the file's,
        // and is evaluated and gated here.
        let job = try RunDispatchTests.JobFolder("slurm-run")
        defer { job.remove() }
        let spec = try job.spec("on-slurm", steps: 60,
                                compute: "  backend: cluster\n  config: \(compute.path)\n  slurm: {time_limit: \"7\"}")
        let (runStatus, runOutput) = try DispatchTestSupport.run(["run", spec.path, "--runs", job.runs.path], home: job.home,
                                                                 environment: environment)
        #expect(runStatus == 0, "\(runOutput)")
        let remote = try #require((try job.report(try job.runFolder("on-slurm"))["training"] as? [String: Any])?["remote"] as? [String: Any])
        #expect(remote["kind"] as? String == "slurm" && remote["raw_state"] as? String == "COMPLETED", "\(remote)")
        let script = folder.appendingPathComponent("shared/\(try #require(remote["job"] as? String))/control/job.sbatch")
        #expect(try String(contentsOf: script, encoding: .utf8).contains("#SBATCH --time=7\n"))
    }

    /// Two ranks of one CPU each: `quench run` trains the spec on one node of two tasks whose ranks
    /// `srun --mpi=pmix` starts, and on two nodes of one task each (two slurmds here) whose ranks
    /// `mpirun` starts inside the allocation (as root, since CI runs as root). Each result is verified
    /// here, the log shows both ranks, and the adapter is the one this process trains alone, bit for
    /// bit: with `gradient_accumulation: 2` each rank computes one micro-batch from zero, and the
    /// two-rank sum is the one process's `G0 + G1`.
    @Test(.requiresPrograms(SlurmCluster.programs + ["/usr/bin/srun", "/usr/bin/mpirun"]), .timeLimit(.minutes(10)))
    func twoTasksTrainDataParallelAndEqualOneProcess() throws {
        let cluster = try SlurmCluster(nodes: 2)
        defer { cluster.stop() }
        let job = try RunDispatchTests.JobFolder("slurm-ranks")
        let shared = job.url.appendingPathComponent("shared")
        defer {
            // Each Quench job has a bundle folder named by its id in `shared`.
            for id in (try? FileManager.default.contentsOfDirectory(atPath: shared.path)) ?? [] {
                Self.end(id, bundle: shared.appendingPathComponent(id).path, cluster: cluster)
            }
            try? FileManager.default.removeItem(at: job.url)
        }
        let compute = job.url.appendingPathComponent("compute.yaml")
        let layouts = [("srun", "nodes: 1, tasks_per_node: 2, launcher: srun"),
                       ("mpirun", "nodes: 2, tasks_per_node: 1, launcher: mpirun, allow_run_as_root: true")]
        let backends = layouts.map { name, ranks in """
              \(name):
                kind: slurm
                work_directory: \(shared.path)
                quench: \(DispatchTestSupport.quench.path)
                poll_seconds: 1
                slurm: {partition: debug, time_limit: "10", cpus_per_task: 1, \(ranks)}
            """ }
        try Data("backends:\n\(backends.joined(separator: "\n"))\n".utf8).write(to: compute)
        func spec(_ name: String, compute: String) throws -> URL {
            let url = try job.spec(name, steps: 40, compute: compute)
            let text = try String(contentsOf: url, encoding: .utf8)
            try #require(text.contains("  batch_size: 4\n"))
            // Two micro-batches of two rows per step: one for each rank.
            try Data(text.replacingOccurrences(of: "  batch_size: 4\n", with: "  batch_size: 2\n  gradient_accumulation: 2\n")
                .utf8).write(to: url)
            return url
        }
        // Equal thread counts: the GEMMs' partition depends on the team size.
        let environment = cluster.environment.merging(["OMP_NUM_THREADS": "1"]) { $1 }
        let weights = "adapter/adapter_model.safetensors"
        let local = try spec("alone", compute: "  backend: local")
        let (localStatus, localOutput) = try job.run(["run", local.path], environment: environment)
        try #require(localStatus == 0, "\(localOutput)")
        let alone = try Data(contentsOf: try job.runFolder("alone").appendingPathComponent("train/\(weights)"))

        for (launcher, _) in layouts {
            let name = "ranks-\(launcher)"
            let remoteSpec = try spec(name, compute: "  backend: \(launcher)\n  config: \(compute.path)")
            let (status, output) = try job.run(["run", remoteSpec.path], environment: environment)
            #expect(status == 0, "\(launcher): \(output)")
            #expect(output.contains("results verified"), "\(launcher): \(output)")
            let run = try job.runFolder(name)
            let remote = try #require((try job.report(run)["training"] as? [String: Any])?["remote"] as? [String: Any])
            #expect(remote["raw_state"] as? String == "COMPLETED", "\(launcher): \(remote)")
            let control = shared.appendingPathComponent("\(try #require(remote["job"] as? String))/control")
            let script = try String(contentsOf: control.appendingPathComponent("job.sbatch"), encoding: .utf8)
            #expect(script.contains(launcher == "srun" ? "\nsrun --mpi=pmix --kill-on-bad-exit=1 --cpus-per-task=1 "
                                                       : "\nmpirun -np 2 --bind-to none "), "\(script)")
            let log = try String(contentsOf: control.appendingPathComponent("slurm.out"), encoding: .utf8)
            #expect(log.contains("[rank 0/2]") && log.contains("[rank 1/2]"), "\(launcher): \(log)")
            #expect(try Data(contentsOf: run.appendingPathComponent("train/results/\(weights)")) == alone,
                    "\(launcher): two ranks trained another adapter than one process")
        }
    }

    /// SIGKILL to rank 1 of a two-task job after its first checkpoint: `srun --kill-on-bad-exit=1` ends
    /// rank 0 too, so the job is failed within seconds instead of waiting in the gradient sum until its
    /// time limit; the output holds the whole checkpoint and no adapter, summary or manifest.
    @Test(.requiresPrograms(SlurmCluster.programs + ["/usr/bin/srun"]), .timeLimit(.minutes(10)))
    func aKilledRankFailsTheJobInBoundedTime() throws {
        let cluster = try SlurmCluster()
        defer { cluster.stop() }
        let folder = try TemporaryDirectory.create("slurm-rank-killed")
        var submitted: String?
        defer {
            if let submitted { Self.end(submitted, bundle: folder.appendingPathComponent("shared/\(submitted)").path, cluster: cluster) }
            try? FileManager.default.removeItem(at: folder)
        }
        let home = folder.appendingPathComponent("home")
        let compute = folder.appendingPathComponent("compute.yaml")
        try Data("""
            backends:
              ranks:
                kind: slurm
                work_directory: \(folder.path)/shared
                quench: \(DispatchTestSupport.quench.path)
                poll_seconds: 1
                slurm: {partition: debug, time_limit: "10", tasks_per_node: 2, cpus_per_task: 1}
            """.utf8).write(to: compute)
        let model = try TinyLlamaFixture.copy(into: folder)
        let config = try DispatchTestSupport.trainingConfig(in: folder, model: model, steps: 1_000_000, name: "endless")
        let text = try String(contentsOf: config, encoding: .utf8)
        try #require(text.contains("batch_size: 2\n") && text.contains("checkpoint_every: 1000000\n"))
        try Data(text.replacingOccurrences(of: "batch_size: 2\n", with: "batch_size: 2\ngradient_accumulation: 2\n")
            .replacingOccurrences(of: "checkpoint_every: 1000000\n", with: "checkpoint_every: 2\n").utf8).write(to: config)
        let environment = cluster.environment.merging(["OMP_NUM_THREADS": "1"]) { $1 }
        let (status, output) = try DispatchTestSupport.run(
            ["jobs", "submit", config.path, "--backend", "ranks", "--compute", compute.path, "--json"],
            home: home, environment: environment)
        try #require(status == 0, "\(output)")
        let id = try DispatchTestSupport.submittedID(output)
        submitted = id
        let job = folder.appendingPathComponent("shared/\(id)")
        let latest = job.appendingPathComponent("output/checkpoints/latest")

        var rank1: pid_t?
        #expect(try Polling.waitUntil(seconds: 120) {
            rank1 = Self.rank(1, training: job.path)
            return rank1 != nil && FileManager.default.fileExists(atPath: latest.path)
        }, "no checkpoint from two ranks: \((try? String(contentsOf: job.appendingPathComponent("control/slurm.out"), encoding: .utf8)) ?? "")")
        let victim = try #require(rank1)
        kill(victim, SIGKILL)
        let killed = Date()
        let final = try DispatchTestSupport.waitForFinalState(id, home: home, seconds: 60)
        let seconds = Date().timeIntervalSince(killed)
        print("Slurm: the job of a killed rank ended in \(String(format: "%.1f", seconds)) s")
        #expect(final["state"] as? String == "failed" && seconds < 30, "\(final) after \(seconds) s")
        let log = try String(contentsOf: job.appendingPathComponent("control/slurm.out"), encoding: .utf8)
        #expect(log.contains("task 1: Killed"), "\(log)")

        let results = job.appendingPathComponent("output")
        let checkpoint = try String(contentsOf: latest, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(FileManager.default.fileExists(atPath: results.appendingPathComponent("checkpoints/\(checkpoint)/state.json").path))
        let left = try FileManager.default.contentsOfDirectory(atPath: results.path)
        #expect(!left.contains("adapter") && !left.contains("summary.json") && !left.contains("manifest.json"), "\(left)")
    }

    /// Ends what is left of the Quench job `id` before its folder goes: scancel sends SIGKILL to its
    /// Slurm job (named quench-`id`) and every step, then any of its 2 ranks still running is killed
    /// by pid.
    static func end(_ id: String, bundle: String, cluster: SlurmCluster) {
        _ = try? ProcessRunner.run("/usr/bin/scancel", ["--quiet", "--full", "--signal=KILL", "--name=quench-\(id)"],
                                   environment: cluster.environment)
        let ranks = { (0..<2).compactMap { rank($0, training: bundle) } }
        guard !Polling.waitUntil(seconds: 10, { ranks().isEmpty }) else { return }
        for pid in ranks() { kill(pid, SIGKILL) }
    }

    /// The pid of the rank `rank` srun started for the bundle at `directory`: a `quench train --bundle`
    /// process whose environment names that rank in PMIX_RANK.
    static func rank(_ rank: Int, training directory: String) -> pid_t? {
        ProcessTable.all().first { pid in
            guard let command = ProcessTable.commandLine(of: pid),
                  command.indices.dropLast(2).contains(where: { command[$0...($0 + 2)] == ["train", "--bundle", directory] })
            else { return false }
            return ProcessTable.environment(of: pid)?.contains("PMIX_RANK=\(rank)") ?? false
        }
    }
}
