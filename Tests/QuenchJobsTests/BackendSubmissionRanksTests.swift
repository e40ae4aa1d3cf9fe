import Foundation
import QuenchConfig
import QuenchDispatch
import QuenchJobs
import QuenchTestSupport
import QuenchTrain
import Testing

/// `quench jobs submit` refuses, before anything is bundled or queued, a training configuration whose
/// steps the backend's ranks cannot share, naming the file and the line of `gradient_accumulation`.
@Suite struct BackendSubmissionRanksTests {
    /// A submission to a Slurm backend asking for `resources`, keeping its record under `folder`.
    static func submission(_ resources: SlurmResources, kind: BackendKind = .slurm, in folder: URL) throws -> BackendSubmission {
        let settings = BackendSettings(name: "pair", kind: kind, workDirectory: "/shared/jobs", quench: "quench",
                                       slurm: kind == .slurm ? resources : nil)
        return try BackendSubmission(settings: settings, store: JobStore(directory: folder.appendingPathComponent("jobs")),
                                     say: { _ in })
    }

    /// A training configuration (gradient_accumulation on line 4) with absolute paths into `folder`.
    static func config(accumulation: Int, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("train.yaml")
        try Data("""
            method: lora
            data: {train: \(folder.path)/train.jsonl, max_sequence_length: 32}
            max_steps: 3
            gradient_accumulation: \(accumulation)
            """.utf8).write(to: url)
        return url
    }

    static func model(in folder: URL) -> TrainingBundle.Model {
        .files(["config.json", "model.safetensors"].map { folder.appendingPathComponent("model-src/\($0)") })
    }

    @Test func anAccumulationTheRanksCannotShareIsRefusedWithNothingBundled() throws {
        let folder = try BundleSourceFolder.create()
        defer { try? FileManager.default.removeItem(at: folder) }
        let submission = try Self.submission(SlurmResources(nodes: 2, tasksPerNode: 1), in: folder)
        let config = try Self.config(accumulation: 3, in: folder)
        do {
            _ = try submission.bundle(trainingConfig: config, model: Self.model(in: folder), quenchVersion: "1")
            Issue.record("the configuration was bundled")
        } catch TrainingConfigError.file(.invalid(let file, let problems)) {
            #expect(file == config.path)
            #expect(problems.map(\.key) == ["gradient_accumulation"] && problems.first?.line == 4, "\(problems)")
            let text = problems.first.map { "\($0)" } ?? ""
            for part in ["train.yaml:4:", "the 2 ranks of backend 'pair' (nodes 2 × tasks_per_node 1)", "found 3", "(2 or 4)"] {
                #expect(text.contains(part), "\(part) missing from: \(text)")
            }
        }
        let bundles = folder.appendingPathComponent("jobs/bundles").path
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: bundles)) ?? []).isEmpty)
    }

    @Test func aMultipleOfTheRanksIsBundledAsGiven() throws {
        let folder = try BundleSourceFolder.create()
        defer { try? FileManager.default.removeItem(at: folder) }
        let submission = try Self.submission(SlurmResources(tasksPerNode: 2), in: folder)
        let bundle = try submission.bundle(trainingConfig: try Self.config(accumulation: 4, in: folder),
                                           model: Self.model(in: folder), quenchVersion: "1")
        #expect(try TrainingConfig.load(contentsOf: bundle.trainingConfigURL).gradientAccumulation == 4)
    }

    @Test(arguments: [BackendKind.slurm, .process])
    func aBackendOfOneTaskBundlesAnyAccumulation(_ kind: BackendKind) throws {
        let folder = try BundleSourceFolder.create()
        defer { try? FileManager.default.removeItem(at: folder) }
        let submission = try Self.submission(SlurmResources(cpus: 2), kind: kind, in: folder)
        let bundle = try submission.bundle(trainingConfig: try Self.config(accumulation: 3, in: folder),
                                           model: Self.model(in: folder), quenchVersion: "1")
        #expect(try TrainingConfig.load(contentsOf: bundle.trainingConfigURL).gradientAccumulation == 3)
    }
}
