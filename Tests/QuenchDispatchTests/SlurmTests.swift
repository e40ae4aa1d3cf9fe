import Foundation
import Testing
@testable import QuenchDispatch

/// The sbatch script from resources, and Slurm's answers read into job states.
@Suite struct SlurmTests {
    @Test func scriptCarriesEveryResourceAsAnSBATCHLine() throws {
        let resources = SlurmResources(partition: "gpu", timeLimit: "0-02:00:00", cpus: 8, memory: "32G", gpus: 2,
                                       gpuType: "a100", account: "ml-team", qos: "normal")
        let script = try SlurmScript.render(id: "q1", directory: "/shared/jobs/q1", quench: "/opt/quench bin/quench",
                                            resources: resources)
        for line in ["#SBATCH --job-name=quench-q1", "#SBATCH --output=/shared/jobs/q1/control/slurm.out",
                     "#SBATCH --partition=gpu", "#SBATCH --time=0-02:00:00", "#SBATCH --cpus-per-task=8",
                     "#SBATCH --mem=32G", "#SBATCH --gres=gpu:a100:2", "#SBATCH --account=ml-team", "#SBATCH --qos=normal",
                     "'/opt/quench bin/quench' train --bundle \"$d\""] {
            #expect(script.contains(line + "\n"), "missing: \(line)")
        }
        let bare = try SlurmScript.render(id: "q2", directory: "/j", quench: "quench", resources: SlurmResources())
        #expect(!bare.contains("--partition") && !bare.contains("--gres") && !bare.contains("--time"))
    }

    @Test func valuesThatWouldBreakAnSBATCHLineAreRefused() {
        let cases: [(SlurmResources, String)] = [
            (SlurmResources(partition: "gpu --uid=0"), "partition"),
            (SlurmResources(timeLimit: "two hours"), "time_limit"),
            (SlurmResources(timeLimit: "1:2:3:4"), "time_limit"),
            (SlurmResources(memory: "lots"), "memory"),
            (SlurmResources(gpus: 0), "gpus"),
            (SlurmResources(account: "a\nb"), "account"),
        ]
        for (resources, key) in cases {
            #expect(throws: DispatchError.self, "\(key)") {
                try SlurmScript.render(id: "q", directory: "/j", quench: "quench", resources: resources)
            }
        }
        #expect(throws: DispatchError.self) {
            try SlurmScript.render(id: "q", directory: "/with space", quench: "quench", resources: SlurmResources())
        }
        for good in ["1", "30", "10:00", "02:00:00", "1-0", "1-02:00", "UNLIMITED"] { #expect(SlurmScript.isTimeLimit(good), "\(good)") }
    }

    /// A job of one task is one `quench train` process: the script is the one Quench always wrote.
    @Test func oneTaskScriptRunsQuenchDirectly() throws {
        let expected = """
            #!/bin/sh
            #SBATCH --job-name=quench-q1
            #SBATCH --output=/j/control/slurm.out
            #SBATCH --partition=gpu
            #SBATCH --time=10
            #SBATCH --cpus-per-task=2
            # written by quench: trains job q1 from its bundle, then records the exit code
            d='/j'
            'quench' train --bundle "$d"
            code=$?
            echo "$code" > "$d/control/exit-code.partial" && mv "$d/control/exit-code.partial" "$d/control/exit-code"
            exit "$code"

            """
        let resources = SlurmResources(partition: "gpu", timeLimit: "10", cpus: 2)
        #expect(try SlurmScript.render(id: "q1", directory: "/j", quench: "quench", resources: resources) == expected)
        // A launcher has nothing to start with one task; one node of one task says so in #SBATCH lines only.
        var single = resources
        single.launcher = .mpirun
        #expect(try SlurmScript.render(id: "q1", directory: "/j", quench: "quench", resources: single) == expected)
        single.nodes = 1
        single.tasksPerNode = 1
        let counted = try SlurmScript.render(id: "q1", directory: "/j", quench: "quench", resources: single)
        #expect(counted == expected.replacingOccurrences(
            of: "#SBATCH --cpus-per-task=2\n", with: "#SBATCH --nodes=1\n#SBATCH --ntasks-per-node=1\n#SBATCH --cpus-per-task=2\n"))
    }

    /// More than one task: srun with Slurm's PMIx plugin starts one rank per task, each with its CPUs as
    /// threads, and a rank that dies takes the step down with it.
    @Test func severalTasksStartRanksWithSrun() throws {
        let resources = SlurmResources(cpus: 32, nodes: 2, tasksPerNode: 1)
        #expect(try resources.tasks() == 2)
        let script = try SlurmScript.render(id: "q", directory: "/j", quench: "/opt/quench", resources: resources)
        let tail = """
            #SBATCH --nodes=2
            #SBATCH --ntasks-per-node=1
            #SBATCH --cpus-per-task=32
            # written by quench: trains job q from its bundle, then records the exit code
            d='/j'
            # 2 ranks, each a quench train process started by srun; rank 0 alone writes the output
            export OMP_NUM_THREADS=32
            srun --mpi=pmix --kill-on-bad-exit=1 --cpus-per-task=32 '/opt/quench' train --bundle "$d"
            code=$?

            """
        #expect(script.contains(tail), "\(script)")
        #expect(script.components(separatedBy: " train --bundle").count == 2, "one launch line: \(script)")

        // Tasks on one node without a CPU count: one thread each, as Slurm gives each task one CPU.
        let packed = try SlurmScript.render(id: "q", directory: "/j", quench: "quench",
                                            resources: SlurmResources(tasksPerNode: 4, launcher: .srun))
        #expect(packed.contains("#SBATCH --ntasks-per-node=4\n") && !packed.contains("--nodes"), "\(packed)")
        #expect(packed.contains("export OMP_NUM_THREADS=1\nsrun --mpi=pmix --kill-on-bad-exit=1 'quench' train"), "\(packed)")
        // Nodes alone mean one task on each, written out so srun and mpirun agree on the count.
        let spread = try SlurmScript.render(id: "q", directory: "/j", quench: "quench", resources: SlurmResources(nodes: 3))
        #expect(spread.contains("#SBATCH --nodes=3\n#SBATCH --ntasks-per-node=1\n") && spread.contains("# 3 ranks"), "\(spread)")
    }

    /// `launcher: mpirun` starts the ranks with Open MPI inside the allocation; as root only when told.
    @Test func mpirunStartsRanksAndIsAllowedRootOnlyWhenTold() throws {
        var resources = SlurmResources(cpus: 2, nodes: 2, tasksPerNode: 2, launcher: .mpirun)
        let plain = try SlurmScript.render(id: "q", directory: "/j", quench: "quench", resources: resources)
        #expect(plain.contains("""
            # 4 ranks, each a quench train process started by mpirun; rank 0 alone writes the output
            export OMP_NUM_THREADS=2
            mpirun -np 4 --bind-to none -x OMP_NUM_THREADS 'quench' train --bundle "$d"

            """), "\(plain)")
        #expect(!plain.contains("OMPI_ALLOW_RUN_AS_ROOT") && !plain.contains("srun"))
        resources.allowRunAsRoot = true
        let root = try SlurmScript.render(id: "q", directory: "/j", quench: "quench", resources: resources)
        #expect(root.contains("""
            export OMP_NUM_THREADS=2
            export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
            mpirun -np 4
            """), "\(root)")
    }

    @Test func rankCountsAndLaunchSettingsThatCannotWorkAreRefusedByKey() {
        let cases: [(SlurmResources, String)] = [
            (SlurmResources(nodes: 0), "nodes"),
            (SlurmResources(tasksPerNode: -1), "tasks_per_node"),
            (SlurmResources(nodes: Int.max, tasksPerNode: 2), "tasks_per_node"),
            (SlurmResources(tasksPerNode: 2, allowRunAsRoot: true), "allow_run_as_root"),
            (SlurmResources(tasksPerNode: 2, launcher: .srun, allowRunAsRoot: true), "allow_run_as_root"),
        ]
        for (resources, key) in cases {
            #expect("\(key)") { try SlurmScript.render(id: "q", directory: "/j", quench: "quench", resources: resources) } throws: {
                guard case DispatchError.invalidComputeConfig(_, let found, _) = $0 else { return false }
                return found == key
            }
        }
        #expect(throws: Never.self) {
            try SlurmScript.render(id: "q", directory: "/j", quench: "quench",
                                   resources: SlurmResources(tasksPerNode: 2, launcher: .mpirun, allowRunAsRoot: false))
        }
    }

    /// A job spec's resources over the compute file's: each new field taken when the spec sets it.
    @Test func mergingTakesTheRankSettingsAJobSpecGives() {
        let file = SlurmResources(cpus: 8, nodes: 4, tasksPerNode: 1, launcher: .mpirun, allowRunAsRoot: true)
        #expect(file.merging(SlurmResources()) == file)
        let merged = file.merging(SlurmResources(cpus: 2, tasksPerNode: 2))
        #expect(merged == SlurmResources(cpus: 2, nodes: 4, tasksPerNode: 2, launcher: .mpirun, allowRunAsRoot: true))
        #expect(file.merging(SlurmResources(nodes: 1, launcher: .srun, allowRunAsRoot: false))
                == SlurmResources(cpus: 8, nodes: 1, tasksPerNode: 1, launcher: .srun, allowRunAsRoot: false))
    }

    /// A run's stage inputs: resources without rank settings read as before they existed (no run starts
    /// over for an upgrade); a rank setting changes the text, so training starts over for it.
    @Test func identityIsUnchangedWithoutRanksAndNamesThemWhenGiven() {
        let plain = SlurmResources(partition: "gpu", cpus: 8, gpus: 1, qos: "normal")
        #expect(plain.identity == "gpu,-,8,-,1,-,-,normal")
        var ranks = plain
        ranks.tasksPerNode = 2
        #expect(ranks.identity == "gpu,-,8,-,1,-,-,normal,tasks_per_node=2")
        ranks.nodes = 4
        ranks.launcher = .mpirun
        ranks.allowRunAsRoot = true
        #expect(ranks.identity == "gpu,-,8,-,1,-,-,normal,nodes=4,tasks_per_node=2,launcher=mpirun,allow_run_as_root=true")
    }

    /// Job records written before ranks existed decode with none of the new fields.
    @Test func resourcesRecordedBeforeRanksStillDecode() throws {
        let old = #"{"partition":"gpu","cpus":4,"timeLimit":"10"}"#
        let decoded = try JSONDecoder().decode(SlurmResources.self, from: Data(old.utf8))
        #expect(decoded == SlurmResources(partition: "gpu", timeLimit: "10", cpus: 4))
        let roundTrip = SlurmResources(nodes: 2, tasksPerNode: 2, launcher: .mpirun, allowRunAsRoot: true)
        #expect(try JSONDecoder().decode(SlurmResources.self, from: JSONEncoder().encode(roundTrip)) == roundTrip)
    }

    @Test func everySlurmStateMapsToAJobState() {
        let expected: [String: JobState] = [
            "PENDING": .queued, "RUNNING": .running, "COMPLETING": .running, "COMPLETED": .succeeded,
            "FAILED": .failed, "NODE_FAIL": .failed, "CANCELLED": .cancelled, "CANCELLED by 0": .cancelled,
            "TIMEOUT": .timedOut, "OUT_OF_MEMORY": .outOfMemory, "PREEMPTED": .preempted, "WHATEVER": .unknown,
        ]
        for (raw, state) in expected { #expect(SlurmState.state(raw) == state, "\(raw)") }
    }

    @Test func answersAreReadWithRawStateExitCodeAndReason() {
        let scontrol = SlurmState.interpret(
            "squeue TIMEOUT|TimeLimit\nscontrol JobId=7 JobName=quench-x UserId=root(0) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15\n")
        #expect(scontrol == JobStatus(state: .timedOut, rawState: "TIMEOUT", exitCode: 0, detail: "TimeLimit"))
        let failed = SlurmState.interpret("scontrol JobId=8 JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0")
        #expect(failed.state == .failed && failed.exitCode == 3)
        #expect(SlurmState.interpret("sacct OUT_OF_MEMORY|0:125") == JobStatus(state: .outOfMemory, rawState: "OUT_OF_MEMORY", exitCode: 0))
        #expect(SlurmState.interpret("squeue PENDING|Resources") == JobStatus(state: .queued, rawState: "PENDING", detail: "Resources"))
        #expect(SlurmState.interpret("exit 0").state == .succeeded)
        #expect(SlurmState.interpret("").state == .unknown)
        #expect(SlurmBackend.parseJobID("42;cluster\n") == "42" && SlurmBackend.parseJobID("42\n") == "42")
        #expect(SlurmBackend.parseJobID("sbatch: error: invalid partition") == nil)
    }
}
