import Foundation
import QuenchFiles

/// A job ready to travel: the training configuration with every path rewritten relative to the
/// bundle, its data files, the model files and a manifest of their SHA-256.
///
/// Layout: `manifest.json`, `training.yaml`, `job.yaml` (the job spec, when given), `data/train/…`,
/// `data/validation/…`, and `model/…` or `model-reference.json` (a model the training machine fetches
/// from its hub, pinned to a commit and the sha256 of every file). The remote side writes `output/` (with its own manifest) and the
/// backend keeps its bookkeeping in `control/`; neither is part of the bundle's manifest.
public struct JobBundle: Sendable {
    /// The bundle's root folder.
    public let directory: URL
    public let manifest: FileManifest

    /// Top-level folders the remote side writes into, outside the bundle's manifest.
    public static let outputFolder = "output"
    public static let controlFolder = "control"
    static let reserved: Set<String> = [outputFolder, controlFolder]
    /// The rewritten training configuration inside the bundle.
    public static let trainingFile = "training.yaml"

    public var trainingConfigURL: URL { directory.appendingPathComponent(Self.trainingFile) }
    public var outputDirectory: URL { directory.appendingPathComponent(Self.outputFolder) }

    /// Opens the bundle at `directory` and reads its manifest (checked for safe, unique paths).
    public static func open(_ directory: URL) throws -> JobBundle {
        JobBundle(directory: directory.standardizedFileURL, manifest: try FileManifest.read(from: directory))
    }

    /// Refuses a bundle written by another Quench release, then checks every file against the manifest:
    /// the remote calls this before training so nothing altered in transit is trained on.
    public func verify(quenchVersion: String) throws {
        guard manifest.quenchVersion == quenchVersion else {
            throw DispatchError.versionMismatch(host: "this machine", local: manifest.quenchVersion, remote: quenchVersion)
        }
        try ManifestVerifier.verify(directory, against: manifest, excluding: Self.reserved)
    }

    /// The model reference the training configuration names as its `model`, if it names one.
    public func modelReference(named model: String) throws -> ModelReference? {
        guard model == ModelReference.fileName else { return nil }
        return try ModelReference.read(from: try resolve(model))
    }

    /// The file or folder at `relative` inside the bundle, refusing paths that escape it or that the
    /// manifest does not cover.
    public func resolve(_ relative: String) throws -> URL {
        let file = directory.appendingPathComponent(FileManifest.fileName).path
        guard FileManifest.isSafe(relative) else { throw DispatchError.unsafePath(file: file, path: relative) }
        let covered = manifest.files.contains { $0.path == relative || $0.path.hasPrefix(relative + "/") }
        guard covered else { throw DispatchError.missingFile(path: relative) }
        return directory.appendingPathComponent(relative)
    }

    /// Builds a bundle at `destination` (which must not exist) from the training configuration file
    /// `trainingConfig`, whose relative paths are read against `baseDirectory` (the current directory
    /// by default, as `quench train` does).
    ///
    /// `modelFiles` are the model's files (one `.gguf`, or a Hugging Face directory's files); empty
    /// means the configuration's `model` key (a `.gguf` file or a directory whose files are all taken).
    /// With `modelReference`, no model file travels: the training machine fetches the referenced one.
    public static func create(trainingConfig: URL, modelFiles: [URL] = [], modelReference: ModelReference? = nil,
                              jobSpec: URL? = nil, at destination: URL, quenchVersion: String,
                              baseDirectory: URL? = nil) throws -> JobBundle {
        let text: String
        do {
            text = try RegularFile.text(of: trainingConfig.path, limit: 1 << 20)
        } catch {
            throw DispatchError.invalidTrainingConfig(file: trainingConfig.path, reason: error.reason)
        }
        return try create(trainingYAML: text, file: trainingConfig.path, modelFiles: modelFiles,
                          modelReference: modelReference, jobSpec: jobSpec, at: destination,
                          quenchVersion: quenchVersion, baseDirectory: baseDirectory)
    }

    /// Builds a bundle from training configuration text (for example a job spec's `training` section
    /// re-serialised); `file` names it in messages. See `create(trainingConfig:...)`.
    public static func create(trainingYAML: String, file: String, modelFiles: [URL] = [],
                              modelReference: ModelReference? = nil, jobSpec: URL? = nil, at destination: URL,
                              quenchVersion: String, baseDirectory: URL? = nil) throws -> JobBundle {
        let base = baseDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        var plan = try TrainingYAMLRewrite(yaml: trainingYAML, file: file, baseDirectory: base)
        if modelReference != nil {
            plan.setModelReference()
        } else {
            plan.setModel(try modelFiles.isEmpty ? plan.configuredModelFiles() : modelFiles)
        }
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: destination.path) else {
            throw DispatchError.fileFailed(path: destination.path, reason: "it already exists; choose a new bundle folder")
        }
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        defer { try? fileManager.removeItem(at: staging) }
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw DispatchError.fileFailed(path: staging.path, reason: error.localizedDescription)
        }
        for (relative, source) in plan.copies {
            try copy(source, to: staging.appendingPathComponent(relative))
        }
        if let jobSpec { try copy(jobSpec, to: staging.appendingPathComponent("job.yaml")) }
        try modelReference?.write(to: staging.appendingPathComponent(ModelReference.fileName))
        let training = staging.appendingPathComponent(trainingFile)
        do {
            try Data(try plan.rewritten().utf8).write(to: training, options: .atomic)
        } catch let error as DispatchError {
            throw error
        } catch {
            throw DispatchError.fileFailed(path: training.path, reason: error.localizedDescription)
        }
        let manifest = try FileManifest.describe(staging, quenchVersion: quenchVersion)
        try manifest.write(into: staging)
        do {
            try fileManager.moveItem(at: staging, to: destination)
        } catch {
            throw DispatchError.fileFailed(path: destination.path, reason: "cannot move the bundle into place: \(error.localizedDescription)")
        }
        return JobBundle(directory: destination.standardizedFileURL, manifest: manifest)
    }

    /// The files of a model at `url`: the file itself (a `.gguf`), or every regular file (or link to
    /// one, as in a hub snapshot) at the top of a Hugging Face folder.
    public static func modelFiles(at url: URL) throws -> [URL] {
        guard try DirectoryWalk.kind(of: url) == .directory else { return [url] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw DispatchError.fileFailed(path: url.path, reason: "cannot list the model folder: \(error.localizedDescription)")
        }
        let files = try names.sorted().map { url.appendingPathComponent($0) }
            .filter { try DirectoryWalk.regularFileFollowingLink($0) != nil }
        guard !files.isEmpty else { throw DispatchError.fileFailed(path: url.path, reason: "the model folder holds no files") }
        return files
    }

    /// Copies one regular file, or the regular file a link resolves to (never the link itself, nor a
    /// special file), creating parent folders.
    static func copy(_ source: URL, to target: URL) throws {
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw DispatchError.fileFailed(path: source.path, reason: "it does not exist")
        }
        guard let file = try DirectoryWalk.regularFileFollowingLink(source) else { throw DispatchError.notARegularFile(path: source.path) }
        do {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: file, to: target)
        } catch {
            throw DispatchError.fileFailed(path: source.path, reason: "cannot copy it into the bundle: \(error.localizedDescription)")
        }
    }
}
