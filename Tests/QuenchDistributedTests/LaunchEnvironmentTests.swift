import QuenchDistributed
import Testing

@Suite struct LaunchEnvironmentTests {
    @Test func mpirunRanksAreReadFromOpenMPIsVariables() throws {
        let launch = try LaunchEnvironment.detect(["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "1", "PMIX_RANK": "1"])
        #expect(launch == LaunchEnvironment(launcher: .mpirun, rank: 1, size: 2))
    }

    @Test func srunWithThePMIxPluginGivesTheRankAndTheStepsTaskCount() throws {
        let launch = try LaunchEnvironment.detect(["PMIX_RANK": "3", "SLURM_STEP_NUM_TASKS": "4", "SLURM_NTASKS": "4"])
        #expect(launch == LaunchEnvironment(launcher: .pmix, rank: 3, size: 4))
        let outsideSlurm = try LaunchEnvironment.detect(["PMIX_RANK": "0"])
        #expect(outsideSlurm == LaunchEnvironment(launcher: .pmix, rank: 0, size: nil))
    }

    @Test func aPlainProcessAndASlurmBatchScriptAreSolo() throws {
        #expect(try LaunchEnvironment.detect([:]) == .solo)
        // The batch script itself: the allocation has two tasks, but no step started this process.
        #expect(try LaunchEnvironment.detect(["SLURM_NTASKS": "2", "SLURM_JOB_ID": "7", "SLURM_PROCID": "0"]) == .solo)
        // `srun` with one task is a single process too.
        #expect(try LaunchEnvironment.detect(["SLURM_STEP_NUM_TASKS": "1", "SLURM_NTASKS": "1"]) == .solo)
    }

    @Test func severalSrunTasksWithoutAnMPIPluginAreRefused() {
        #expect(throws: DistributedError.launchedWithoutMPI(tasks: 2)) {
            try LaunchEnvironment.detect(["SLURM_STEP_NUM_TASKS": "2", "SLURM_NTASKS": "2", "SLURM_PROCID": "1"])
        }
        #expect(DistributedError.launchedWithoutMPI(tasks: 2).description.contains("srun --mpi=pmix"))
    }

    @Test(arguments: [
        (["OMPI_COMM_WORLD_SIZE": "two", "OMPI_COMM_WORLD_RANK": "0"], "OMPI_COMM_WORLD_SIZE"),
        (["OMPI_COMM_WORLD_SIZE": "0", "OMPI_COMM_WORLD_RANK": "0"], "OMPI_COMM_WORLD_SIZE"),
        (["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "-1"], "OMPI_COMM_WORLD_RANK"),
        (["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "2"], "OMPI_COMM_WORLD_RANK"),
        (["OMPI_COMM_WORLD_SIZE": "2"], "OMPI_COMM_WORLD_RANK"),
        (["PMIX_RANK": "x"], "PMIX_RANK"),
        (["PMIX_RANK": "4", "SLURM_STEP_NUM_TASKS": "4"], "PMIX_RANK"),
        (["SLURM_STEP_NUM_TASKS": "2x"], "SLURM_STEP_NUM_TASKS"),
    ])
    func launcherValuesThatAreNotRanksAreRefusedNamingTheVariable(environment: [String: String], variable: String) {
        let error = #expect(throws: DistributedError.self) { try LaunchEnvironment.detect(environment) }
        guard case .inconsistentLaunch(let named, _, _) = error else {
            Issue.record("expected inconsistentLaunch, got \(String(describing: error))")
            return
        }
        #expect(named == variable)
        #expect(error?.description.contains(variable) == true)
    }
}
