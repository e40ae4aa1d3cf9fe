import Foundation
import QuenchFiles

/// A job ready to travel: the training configuration with every path relative to the bundle, its
/// data files, the model files and a manifest of their SHA-256. Dispatch never reads the training
/// configuration: the trainer's side writes it (`TrainingBundle` in QuenchJobs) and reads it back.
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
    /// Where a bundle built from a job holds the base model's files.
    public static let modelFolder = "model"
    /// Where a bundle built from a job holds its datasets, one folder per dataset role.
    public static let dataFolder = "data"
    static let reserved: Set<String> = [outputFolder, controlFolder]
    /// The training configuration inside the bundle.
    public static let trainingFile = "training.yaml"
    /// The job spec the bundle was made for, when there is one.
    static let jobSpecFile = "job.yaml"

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

    /// Builds a bundle at `destination` (which must not exist): `trainingDocument` as `training.yaml`
    /// (the trainer's own serialised configuration, every path in it relative to the bundle), each of
    /// `files` copied to its path inside the bundle, the job spec as `job.yaml` and the model reference
    /// when given, and the sha256 manifest of them all. Nothing is left behind when a step fails.
    public static func create(trainingDocument: String, files: [BundleFile], modelReference: ModelReference? = nil,
                              jobSpec: URL? = nil, at destination: URL, quenchVersion: String) throws -> JobBundle {
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: destination.path) else {
            throw DispatchError.fileFailed(path: destination.path, reason: "it already exists; choose a new bundle folder")
        }
        try checkPlaces(of: files)
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        defer { try? fileManager.removeItem(at: staging) }
        do {
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw DispatchError.fileFailed(path: staging.path, reason: error.localizedDescription)
        }
        for file in files {
            try copy(file.source, to: staging.appendingPathComponent(file.path))
        }
        if let jobSpec { try copy(jobSpec, to: staging.appendingPathComponent(jobSpecFile)) }
        try modelReference?.write(to: staging.appendingPathComponent(ModelReference.fileName))
        let training = staging.appendingPathComponent(trainingFile)
        do {
            try Data(trainingDocument.utf8).write(to: training, options: .atomic)
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

    /// Refuses a file whose place in the bundle could escape it, lies in a folder the remote side
    /// writes, takes the name of a file the bundle writes itself, or is taken by another file.
    private static func checkPlaces(of files: [BundleFile]) throws {
        let own: Set<String> = [trainingFile, FileManifest.fileName, jobSpecFile, ModelReference.fileName]
        var seen = Set<String>()
        for file in files {
            let top = file.path.split(separator: "/").first.map(String.init) ?? ""
            guard FileManifest.isSafe(file.path), !reserved.contains(top), !own.contains(file.path) else {
                throw DispatchError.fileFailed(path: file.source.path, reason: "it cannot go to '\(file.path)' in the bundle: "
                    + "the place must stay inside the bundle and be none the bundle or the remote side writes itself")
            }
            guard seen.insert(file.path).inserted else {
                throw DispatchError.fileFailed(path: file.source.path, reason: "it and another file would both be \(file.path) in the bundle")
            }
        }
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

/// One file a bundle carries: where it goes inside the bundle and the file it is copied from.
public struct BundleFile: Sendable, Equatable {
    /// The path inside the bundle (`data/train/rows.jsonl`, `model/config.json`).
    public let path: String
    /// The file copied there (a link is followed to the regular file it names).
    public let source: URL

    /// A file to copy from `source` to `path` inside the bundle.
    public init(path: String, source: URL) {
        self.path = path
        self.source = source
    }
}
