import Foundation
import Testing
import QuenchTestSupport

/// Ranks that die: a 2-rank LoRA run on SmolLM2-135M (slow enough to stop mid-way) killed whole
/// resumes with 1 process or 2 ranks to the adapter of an uninterrupted run, bit for bit; one rank
/// killed (mpirun sees it) or hung (only the collective's deadline does) ends the job in bounded time
/// with the last checkpoint whole and nothing else written.
@Suite("mpirun -np 2 quench train: killed ranks and --resume", .serialized, .timeLimit(.minutes(12)),
       .requiresPrograms(MPIRun.programs), .requiresDemoModel)
struct DistributedFaultTests {
    /// 10 steps of one row per micro-batch, 2 micro-batches per step (one per rank), a checkpoint every 2.
    func config(_ runs: DistributedRun, _ name: String, output: String? = nil) throws -> URL {
        try runs.config(name, output: output, batchSize: 1, accumulation: 2, steps: 10, checkpointEvery: 2)
    }

    /// Starts `config` on 2 ranks and returns mpirun once `condition` holds, still running; when it
    /// does not within 180 s, or the run ends first, mpirun and its ranks are killed and the test fails.
    func start(_ runs: DistributedRun, _ config: URL, environment: [String: String] = [:], log: URL,
               until condition: (DistributedRun) -> Bool) throws -> Process {
        let mpirun = try MPIRun.start([runs.context(config)], environment: environment, log: log)
        let reached = Polling.waitUntil(seconds: 180) { condition(runs) || !mpirun.isRunning }
        let running = mpirun.isRunning
        if !(reached && running) { MPIRun.killAll(mpirun) }
        try #require(reached && running, "the run ended before it could be stopped, or did not reach the point: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        return mpirun
    }

    /// A run on 2 ranks, in view once its first checkpoint is: where its mpirun prints, and rank 1's pid.
    struct Checkpointed {
        let config: URL
        let log: URL
        let mpirun: Process
        let rank1: pid_t
    }

    /// Starts the run "run" of `runs` on 2 ranks with `environment` and returns it once a checkpoint
    /// is in view, with rank 1; everything is killed when it throws. The caller calls `MPIRun.killAll`
    /// on `mpirun` when it still runs.
    func checkpointed(_ runs: DistributedRun, environment: [String: String] = [:]) throws -> Checkpointed {
        let config = try config(runs, "run")
        let log = runs.folder.appendingPathComponent("run.log")
        let mpirun = try start(runs, config, environment: environment, log: log) { $0.latest("run") != nil }
        guard let rank1 = MPIRun.ranks(of: mpirun)[1] else {
            MPIRun.killAll(mpirun)
            throw TestSetupError.command("no rank 1 among mpirun's children")
        }
        return Checkpointed(config: config, log: log, mpirun: mpirun, rank1: rank1)
    }

    @Test("2 ranks killed after a checkpoint resume with 1 process and with 2 ranks to the uninterrupted adapter")
    func resumeTwoRanksWithOneAndTwo() throws {
        let runs = try DistributedRun("mpi-resume", model: DemoModelFile.url)
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        let straight = try runs.ranks(try config(runs, "straight"), seconds: 180)
        try #require(straight.succeeded, "\(straight.output)")

        let interrupted = try config(runs, "interrupted")
        let mpirun = try start(runs, interrupted, log: runs.folder.appendingPathComponent("interrupted.log")) {
            ($0.latest("interrupted") ?? "") >= "checkpoint-00000002"
        }
        MPIRun.killAll(mpirun)
        #expect(!FileManager.default.fileExists(atPath: runs.run("interrupted/adapter").path))
        try FileManager.default.copyItem(at: runs.run("interrupted"), to: runs.run("copy"))

        // Both continue after the checkpoint (from scratch they would end with the same adapter).
        let alone = try runs.alone(interrupted, ["--resume"])
        #expect(alone.exited && alone.status == 0 && !alone.output.contains("step 1/10"), "\(alone.output)")
        let ranked = try runs.ranks(try config(runs, "copy"), ["--resume"], seconds: 180)
        #expect(ranked.succeeded && !ranked.output.contains("step 1/10"), "\(ranked.output)")

        let adapter = DistributedRun.weights("lora")
        for resumed in ["interrupted", "copy"] {
            #expect(try runs.bytes(resumed, adapter) == runs.bytes("straight", adapter), "\(resumed) differs from the uninterrupted run")
            #expect(try runs.steps(resumed) == runs.steps("straight"), "\(resumed): one metrics line per step, as uninterrupted")
        }
    }

    @Test("SIGKILL to rank 1 ends the job within 60 s naming rank 1; the last checkpoint is whole, nothing else is written")
    func killedRankEndsJob() throws {
        let runs = try DistributedRun("mpi-kill", model: DemoModelFile.url)
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        let job = try checkpointed(runs)
        defer { if job.mpirun.isRunning { MPIRun.killAll(job.mpirun) } }
        kill(job.rank1, SIGKILL)
        let killed = Date()
        try #require(MPIRun.waitForExit(job.mpirun, seconds: 60), "mpirun still runs 60 s after rank 1 was killed")
        print("mpirun ended \(String(format: "%.1f", Date().timeIntervalSince(killed))) s after rank 1 was killed")
        let output = try String(contentsOf: job.log, encoding: .utf8)
        #expect(job.mpirun.terminationStatus != 0 && output.contains("process rank 1 "), "\(output)")

        // Every checkpoint in view (a staged one is hidden until renamed) is whole, `latest` among them.
        let checkpoints = runs.run("run/checkpoints")
        let promoted = try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).filter { !$0.hasPrefix(".") && $0 != "latest" }
        #expect(promoted.contains(try #require(runs.latest("run"))), "\(promoted)")
        for checkpoint in promoted {
            for file in ["state.json", "tensors.safetensors"] {
                #expect(FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("\(checkpoint)/\(file)").path),
                        "\(checkpoint) lacks \(file)")
            }
        }
        let written = runs.files("run")
        #expect(!written.contains { $0.hasPrefix("adapter") || $0.hasPrefix("model") || $0 == "summary.json" }, "\(written)")

        let resumed = try runs.alone(job.config, ["--resume"])
        #expect(resumed.exited && resumed.status == 0, "\(resumed.output)")
        #expect(try runs.steps("run").count == 10)
    }

    @Test("a rank that hangs (SIGSTOP: the launcher sees nothing) ends the job after QUENCH_COLLECTIVE_TIMEOUT, naming the collective")
    func hungRankTimesOut() throws {
        let runs = try DistributedRun("mpi-hang", model: DemoModelFile.url)
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        // 20 s: long enough for the start check (both ranks load and hash SmolLM2 first) on a busy machine.
        let job = try checkpointed(runs, environment: ["QUENCH_COLLECTIVE_TIMEOUT": "20"])
        defer { if job.mpirun.isRunning { MPIRun.killAll(job.mpirun) } }
        let rank = job.rank1
        kill(rank, SIGSTOP)
        try #require(MPIRun.waitForExit(job.mpirun, seconds: 60), "mpirun still runs 60 s after rank 1 stopped")
        let output = try String(contentsOf: job.log, encoding: .utf8)
        #expect(job.mpirun.terminationStatus != 0 && output.contains("[rank 0/2] Error: rank 0: the ")
                    && output.contains("did not finish within 20 s (QUENCH_COLLECTIVE_TIMEOUT)"), "\(output)")
        #expect(Polling.waitUntil(seconds: 10) { !ProcessTable.isRunning(rank) }, "the stopped rank outlived the job")
        #expect(!runs.files("run").contains { $0.hasPrefix("adapter") || $0 == "summary.json" }, "\(runs.files("run"))")

        let resumed = try runs.alone(job.config, ["--resume"])
        #expect(resumed.exited && resumed.status == 0, "\(resumed.output)")
    }
}
