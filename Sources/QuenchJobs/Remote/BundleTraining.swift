import Foundation
import QuenchDispatch
import QuenchDistributed
import QuenchFiles
import QuenchModel
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
                                  quenchVersion: quenchVersion, group: group).run()
        guard group.writes else { return summary }
        try AtomicFile.writeJSON(summary, to: job.outputDirectory.appendingPathComponent(Dispatcher.summaryFile))
        let manifest = try FileManifest.describe(job.outputDirectory, quenchVersion: quenchVersion)
        try manifest.write(into: job.outputDirectory)
        progress("wrote \(manifest.files.count) output files with their sha256 to \(job.outputDirectory.path)/\(FileManifest.fileName)")
        return summary
    }

    /// The model folder or file to train: rank 0 refuses a bundle trained already and fetches a
    /// referenced model into the bundle's control folder (with several ranks as the files themselves,
    /// since the other nodes see the bundle but not rank 0's hub cache); every rank learns whether
    /// that worked (a sum, so no rank waits on one that gave up), and the other ranks check the
    /// fetched files against the reference's sha256 themselves before reading them.
    ///
    /// The other ranks wait for rank 0's whole download as for any collective, up to
    /// QUENCH_COLLECTIVE_TIMEOUT seconds; a wait that runs out says so.
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
                    _ = try ReferencedModel.fetch(reference, into: folder, placing: group.size > 1 ? .files : .linksIntoCache,
                                                  progress: progress)
                }
            } catch {
                failure = error
            }
        }
        var failed = [failure == nil ? 0.0 : 1.0]
        do throws(DistributedError) {
            try group.sum(&failed, Collective("bundle ready"))
        } catch {
            guard case .timedOut(_, _, let seconds) = error, let reference, !group.writes else { throw error }
            throw DispatchError.fileFailed(
                path: folder.path,
                reason: "rank 0 had not fetched \(reference.repo) into it after \(seconds) s, the longest a rank waits for "
                    + "another (QUENCH_COLLECTIVE_TIMEOUT); set QUENCH_COLLECTIVE_TIMEOUT above the time the model takes to "
                    + "download, or send the model with the job (compute.send_model: files); if rank 0 died, its log says why")
        }
        if let failure { throw failure }
        guard failed[0] == 0 else {
            throw DispatchError.fileFailed(path: job.directory.path, reason: "rank 0 could not prepare this bundle for training; its log says why")
        }
        guard let reference else { return try job.resolve(model) }
        if !group.writes {
            try ManifestVerifier.verify(folder, holding: reference.files)
            progress("checked the \(reference.files.count) files rank 0 fetched against the reference's sha256")
        }
        return folder
    }
}
