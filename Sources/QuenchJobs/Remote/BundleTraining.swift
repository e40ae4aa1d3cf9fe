import Foundation
import QuenchDispatch
import QuenchFiles
import QuenchModel
import QuenchSecurity
import QuenchTrain

/// The training machine's side of a job bundle (`quench train --bundle DIR`): check the release and
/// every file against the manifest, fetch a referenced model, train with every path inside the
/// bundle, then write `output/summary.json` and `output/manifest.json` for the other side to verify.
public enum BundleTraining {
    /// Trains the bundle at `directory`; `progress` receives one line per step worth telling.
    public static func run(at directory: URL, quenchVersion: String,
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
        guard !FileManager.default.fileExists(atPath: job.outputDirectory.path) else {
            throw DispatchError.fileFailed(path: job.outputDirectory.path, reason: "it already exists: this bundle was trained already")
        }
        if let reference = try job.modelReference(named: model) {
            progress("fetching \(reference.repo) at \(reference.commit) from this machine's hub: \(reference.files.count) files, each checked against the bundle's sha256")
            let folder = job.directory.appendingPathComponent(JobBundle.controlFolder).appendingPathComponent(JobBundle.modelFolder)
            config.model = try ReferencedModel.fetch(reference, into: folder, progress: progress).path
        } else {
            config.model = try job.resolve(model).path
        }
        config.data.train = try job.resolve(config.data.train).path
        config.data.validation = try config.data.validation.map { try job.resolve($0).path }
        config.output = job.outputDirectory.path
        let summary = try Trainer(config: config, bundle: try ModelBundle.open(URL(fileURLWithPath: config.model ?? model))).run()
        try AtomicFile.writeJSON(summary, to: job.outputDirectory.appendingPathComponent(Dispatcher.summaryFile))
        let manifest = try FileManifest.describe(job.outputDirectory, quenchVersion: quenchVersion)
        try manifest.write(into: job.outputDirectory)
        progress("wrote \(manifest.files.count) output files with their sha256 to \(job.outputDirectory.path)/\(FileManifest.fileName)")
        return summary
    }
}
