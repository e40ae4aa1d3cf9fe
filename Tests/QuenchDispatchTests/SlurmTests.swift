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
