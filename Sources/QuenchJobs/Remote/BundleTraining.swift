import Foundation
import QuenchDispatch
import QuenchDistributed
import QuenchFiles
import QuenchModel
import QuenchSecurity
import QuenchTrain

/// The training machine's side of a job bundle (`quench train --bundle DIR`): check the release and
/// every file against the manifest, fetch a referenced model, train with every path inside the
/// bundle, then write `output/summary.json` and `output/manifest.json` for the other side to verify.
///
/// With several ranks (`mpirun` or `srun --mpi=pmix` started them on a bundle every node sees),
/// every rank checks the bundle, rank 0 alone refuses a bundle trained already and fetches a
/// referenced model, the others wait for it and check the fetched files themselves, all train
/// together, and rank 0 alone writes the output.
public enum BundleTraining {
    /// Trains the bundle at `directory` as one rank of `group`; `progress` receives one line per step worth telling.
    public static func run(at directory: URL, quenchVersion: String, group: any ProcessGroup = SoloGroup(),
                           progress: @escaping @Sendable (String) -> Void) throws -> TrainingSummary {
        let job = try JobBundle.open(directory)
        try job.verify(quenchVersion: quenchVersion)
        progress("verified bundle \(job.directory.path): \(job.manifest.files.count) files match their sha256")
        var config = try TrainingConfig.load(contentsOf: job.trainingConfigURL)
        let file = job.trainingConfigURL.path
        try config.requirePrecisionSupport(setting: "precision in \(file)")
        guard let model = config.model else { throw DispatchError.invalidTrainingConfig(file: file, reason: "it names no model") }
        guard config.output == JobBundle.outputFolder else {
            throw DispatchError.invalidTrainingConfig(file: file, reason: "it must write to '\(JobBundle.outputFolder)', not '\(config.output)'")
        }
        config.model = try prepareModel(named: model, of: job, group: group, progress: progress).path
        config.data.train = try job.resolve(config.data.train).path
        config.data.validation = try config.data.validation.map { try job.resolve($0).path }
        config.output = job.outputDirectory.path
        let summary = try Trainer(config: config, bundle: try ModelBundle.open(URL(fileURLWithPath: config.model ?? model)),
                                  group: group).run()
        guard group.writes else { return summary }
        try AtomicFile.writeJSON(summary, to: job.outputDirectory.appendingPathComponent(Dispatcher.summaryFile))
        let manifest = try FileManifest.describe(job.outputDirectory, quenchVersion: quenchVersion)
        try manifest.write(into: job.outputDirectory)
        progress("wrote \(manifest.files.count) output files with their sha256 to \(job.outputDirectory.path)/\(FileManifest.fileName)")
        return summary
    }

    /// The model folder or file to train: rank 0 refuses a bundle trained already and fetches a
    /// referenced model into the bundle's control folder; every rank learns whether that worked
    /// (a sum, so no rank waits on one that gave up), and the other ranks check the fetched files
    /// against the reference's sha256 themselves before reading them.
    static func prepareModel(named model: String, of job: JobBundle, group: any ProcessGroup,
                             progress: @escaping @Sendable (String) -> Void) throws -> URL {
        let reference = try job.modelReference(named: model)
        let folder = job.directory.appendingPathComponent(JobBundle.controlFolder).appendingPathComponent(JobBundle.modelFolder)
        var failure: (any Error)?
        if group.writes {
            do {
                guard !FileManager.default.fileExists(atPath: job.outputDirectory.path) else {
                    throw DispatchError.fileFailed(path: job.outputDirectory.path, reason: "it already exists: this bundle was trained already")
                }
                if let reference {
                    progress("fetching \(reference.repo) at \(reference.commit) from this machine's hub: \(reference.files.count) files, each checked against the bundle's sha256")
                    _ = try ReferencedModel.fetch(reference, into: folder, progress: progress)
                }
            } catch {
                failure = error
            }
        }
        var failed = [failure == nil ? 0.0 : 1.0]
        try group.sum(&failed, Collective("bundle ready"))
        if let failure { throw failure }
        guard failed[0] == 0 else {
            throw DispatchError.fileFailed(path: job.directory.path, reason: "rank 0 could not prepare this bundle for training; its log says why")
        }
        guard let reference else { return try job.resolve(model) }
        if !group.writes {
            try check(reference, in: folder)
            progress("checked the \(reference.files.count) files rank 0 fetched against the reference's sha256")
        }
        return folder
    }

    /// Checks that every file of `reference` in `folder` (laid out by rank 0) has the reference's sha256.
    static func check(_ reference: ModelReference, in folder: URL) throws {
        for (path, expected) in reference.files.sorted(by: { $0.key < $1.key }) {
            let file = folder.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: file.path) else { throw DispatchError.missingFile(path: file.path) }
            let found = try FileDigest.sha256(of: file)
            guard found == expected else { throw DispatchError.digestMismatch(path: file.path, expected: expected, found: found) }
        }
    }
}
