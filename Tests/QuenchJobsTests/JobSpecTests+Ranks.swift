import Foundation
import QuenchConfig
import QuenchJobs
import Testing

extension JobSpecTests {
    /// A compute file with a backend of 2 ranks (one node of two tasks), one of a single task, and an SSH host.
    func writeRankedComputeFile() throws {
        try Data("""
            backends:
              pair: {kind: slurm, work_directory: /shared/jobs, slurm: {nodes: 1, tasks_per_node: 2, cpus_per_task: 1}}
              single: {kind: slurm, work_directory: /shared/jobs, slurm: {cpus: 2}}
              box: {kind: ssh, host: box.example.org, user: q, identity_file: /k, known_hosts_file: /h}
            """.utf8).write(to: folder.appendingPathComponent("compute.yaml"))
    }

    /// The valid spec with `gradient_accumulation: accumulation` (line 14; absent when nil) on `backend`.
    func rankedSpec(accumulation: Int?, backend: String, slurm: String? = nil) -> String {
        let line = accumulation.map { "  batch_size: 2\n  gradient_accumulation: \($0)" } ?? "  batch_size: 2"
        return valid.replacingOccurrences(of: "  batch_size: 2", with: line)
            + "\ncompute:\n  backend: \(backend)\n  config: compute.yaml\n" + (slurm.map { "  slurm: \($0)\n" } ?? "")
    }

    @Test func aGradientAccumulationTheBackendsRanksCannotShareIsRefusedAtItsLine() throws {
        try writeRankedComputeFile()
        let found = try problems(rankedSpec(accumulation: 3, backend: "pair"))
        let problem = try #require(found.first, "\(found)")
        #expect(found.count == 1, "\(found)")
        #expect(problem.file == folder.appendingPathComponent("job.yaml").path)
        #expect(problem.key == "training.gradient_accumulation" && problem.line == 14, "\(problem)")
        let text = "\(problem)"
        for part in ["job.yaml:14:", "the 2 ranks of backend 'pair' (nodes 1 × tasks_per_node 2)", "found 3",
                     "a multiple of 2 (2 or 4)", "divides 3 (1, 3)"] {
            #expect(text.contains(part), "\(part) missing from: \(text)")
        }
    }

    @Test func aMultipleOfTheRankCountLoads() throws {
        try writeRankedComputeFile()
        let spec = try JobSpec.load(contentsOf: try write(rankedSpec(accumulation: 4, backend: "pair")))
        #expect(spec.training.gradientAccumulation == 4)
    }

    @Test(arguments: ["single", "box"])
    func aBackendOfOneTaskTakesAnyAccumulation(_ backend: String) throws {
        try writeRankedComputeFile()
        let spec = try JobSpec.load(contentsOf: try write(rankedSpec(accumulation: 3, backend: backend)))
        #expect(spec.training.gradientAccumulation == 3)
    }

    @Test func ranksTheSpecsSlurmResourcesAskForAreCheckedToo() throws {
        try writeRankedComputeFile()
        let found = try problems(rankedSpec(accumulation: 3, backend: "single", slurm: "{nodes: 2}"))
        #expect(found.map(\.key) == ["training.gradient_accumulation"] && found.first?.line == 14, "\(found)")
        #expect(found.first.map { "\($0)".contains("(nodes 2 × tasks_per_node 1 with the job spec's compute.slurm)") } == true,
                "\(found)")
        // The spec's one task per node over the compute file's two: one rank, any accumulation.
        let spec = try JobSpec.load(contentsOf: try write(rankedSpec(accumulation: 3, backend: "pair", slurm: "{tasks_per_node: 1}")))
        #expect(spec.training.gradientAccumulation == 3)
    }

    @Test func anAbsentAccumulationIsOneAndRefusedAtTheTrainingSection() throws {
        try writeRankedComputeFile()
        let found = try problems(rankedSpec(accumulation: nil, backend: "pair"))
        #expect(found.map(\.key) == ["training.gradient_accumulation"], "\(found)")
        // Reported at the training section's first line (its mapping starts there).
        #expect(found.first.map { $0.line == 11 && "\($0)".contains("found 1 (the default: it is not given)") } == true,
                "\(found)")
    }
}
