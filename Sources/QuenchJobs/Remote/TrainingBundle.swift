import Foundation
import QuenchDispatch
import QuenchTrain

/// A training configuration packed into a job bundle. The paths are rewritten on the typed
/// `TrainingConfig` (data into `data/train/` and `data/validation/`, the model into `model/` or its
/// reference, the output to `output`), and the bundle carries the trainer's own serialised form
/// (`yamlDocument()`), which `quench train --bundle` reads back with `TrainingConfig.load`.
public enum TrainingBundle {
    /// Where the model the bundle trains comes from.
    public enum Model: Sendable {
        /// The configuration's `model`, else `fallback` (nil: the configuration must name one).
        case configured(fallback: URL?)
        /// These files: one `.gguf`, or the files of a Hugging Face folder.
        case files([URL])
        /// No model file travels: the training machine fetches the referenced one from its hub.
        case reference(ModelReference)
    }

    /// Bundles the training configuration file at `url` (relative paths in it are read against
    /// `baseDirectory`, the current directory by default, as `quench train` does).
    public static func create(trainingConfig url: URL, model: Model, jobSpec: URL? = nil, at destination: URL,
                              quenchVersion: String, baseDirectory: URL? = nil) throws -> JobBundle {
        try create(config: try TrainingConfig.load(contentsOf: url), file: url.path, model: model, jobSpec: jobSpec,
                   at: destination, quenchVersion: quenchVersion, baseDirectory: baseDirectory)
    }

    /// Bundles `config`; `file` names it in messages. See `create(trainingConfig:...)`.
    public static func create(config: TrainingConfig, file: String, model: Model, jobSpec: URL? = nil, at destination: URL,
                              quenchVersion: String, baseDirectory: URL? = nil) throws -> JobBundle {
        let base = baseDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        var bundled = config
        var files: [BundleFile] = []
        func data(_ role: DatasetRole, _ path: String) -> String {
            let source = resolve(path, against: base)
            let place = "\(JobBundle.dataFolder)/\(role.rawValue)/\(source.lastPathComponent)"
            files.append(BundleFile(path: place, source: source))
            return place
        }
        bundled.data.train = data(.train, config.data.train)
        bundled.data.validation = config.data.validation.map { data(.validation, $0) }
        var reference: ModelReference? = nil
        switch model {
        case .reference(let referenced):
            reference = referenced
            bundled.model = ModelReference.fileName
        case .files(let urls):
            guard !urls.isEmpty else { throw DispatchError.invalidTrainingConfig(file: file, reason: "no model files were given") }
            bundled.model = place(of: urls, in: &files)
        case .configured(let fallback):
            guard let source = config.model.map({ resolve($0, against: base) }) ?? fallback else {
                throw DispatchError.invalidTrainingConfig(
                    file: file, reason: "no model: set 'model' in the configuration or give the model files")
            }
            bundled.model = place(of: try JobBundle.modelFiles(at: source), in: &files)
        }
        bundled.output = JobBundle.outputFolder
        let document: String
        do {
            document = "# written by quench: the training configuration of a job bundle, paths relative to the bundle\n"
                + (try bundled.yamlDocument())
        } catch {
            throw DispatchError.invalidTrainingConfig(file: file, reason: "cannot write it as YAML: \(error)")
        }
        return try JobBundle.create(trainingDocument: document, files: files, modelReference: reference, jobSpec: jobSpec,
                                    at: destination, quenchVersion: quenchVersion)
    }

    /// Puts the model's files into `model/` and returns the configuration's `model`: a lone `.gguf` is
    /// the model itself, anything else is a folder.
    private static func place(of urls: [URL], in files: inout [BundleFile]) -> String {
        files += urls.map { BundleFile(path: "\(JobBundle.modelFolder)/\($0.lastPathComponent)", source: $0) }
        if urls.count == 1, let only = urls.first, only.pathExtension.lowercased() == "gguf" {
            return "\(JobBundle.modelFolder)/\(only.lastPathComponent)"
        }
        return JobBundle.modelFolder
    }

    /// `path` with `~` expanded, relative paths taken against `base`.
    private static func resolve(_ path: String, against base: URL) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : base.appendingPathComponent(expanded)
    }
}
