import ArgumentParser
import Foundation
import QuenchDispatch
import QuenchHub
import QuenchJobs
import QuenchModel
import QuenchTrain

/// `quench jobs submit`: bundle a training configuration and send it to a backend.
struct JobsSubmit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Bundle a training configuration with its data and model, and submit it to a compute backend.",
        discussion: """
            The bundle holds training.yaml (paths rewritten), the data files, the model files and a sha256 \
            manifest; the remote runs `quench train --bundle` (same Quench release, checked before \
            submission) and verifies the manifest before training. With --wait the log is streamed, Ctrl-C \
            cancels the job, and the results are fetched and verified on success.

            With --model-hub the model does not travel: the bundle holds a reference (repository, commit and \
            the sha256 of every file, verified here) and the training machine fetches it from its own hub with \
            its own token, or with the one --hub-token-file sends (SSH only).

            Examples:
              quench jobs submit jobs/training/smollm2-135m_lora_temperature.yaml --backend gpu-box --compute configs/compute.yaml --wait
              quench jobs submit jobs/training/smollm2-135m_lora_temperature.yaml --backend gpu-box --model-hub HuggingFaceTB/SmolLM2-135M-Instruct
            """)

    @Argument(help: ArgumentHelp("The training configuration (YAML).", valueName: "config"))
    var configPath: String

    @Option(help: ArgumentHelp("The backend's name in the compute file.", valueName: "name"))
    var backend: String

    @Option(help: ArgumentHelp("The compute file.", valueName: "path"))
    var compute = "configs/compute.yaml"

    @Option(help: ArgumentHelp("The model (.gguf or Hugging Face folder), overriding the configuration's `model`. Default: the configuration's, else the demo model.",
                               valueName: "path"))
    var model: String?

    @Option(help: ArgumentHelp(
        "Send the model as a reference instead of its files: a hub repository (org/name, optionally @revision) verified here, which the training machine fetches at the same commit and checks against the same sha256.",
        valueName: "repo[@revision]"))
    var modelHub: String?

    @Option(help: ArgumentHelp(
        "A file (mode 600) holding a hub token the SSH host needs; it is sent on standard input into a 0600 file removed when the run ends.",
        valueName: "path"))
    var hubTokenFile: String?

    @Flag(help: "Follow the log until the job ends, then fetch and verify its results.")
    var wait = false

    @Option(help: ArgumentHelp("With --wait: a new folder for the verified results.", valueName: "dir"))
    var results: String?

    @Flag(help: "Print the job record (and outcome) as JSON.")
    var json = false

    func validate() throws {
        if model != nil, modelHub != nil { throw ValidationError("give --model or --model-hub, not both") }
        if hubTokenFile != nil, modelHub == nil {
            throw ValidationError("--hub-token-file is for the training machine's fetch of a --model-hub reference")
        }
        if let modelHub {
            do {
                _ = try RepositoryID(parsing: modelHub)
            } catch {
                throw ValidationError("--model-hub takes org/name or org/name@revision: \(error)")
            }
        }
    }

    func run() async throws {
        let settings = try ComputeConfig.load(contentsOf: URL(fileURLWithPath: compute)).backend(named: backend)
        let token = try hubTokenFile.map { path -> Data in
            let source = TokenSource(environmentToken: nil, tokenFile: URL(fileURLWithPath: path), tokenCommand: [])
            guard let found = try source.resolve() else { throw ValidationError("there is no hub token file at \(path)") }
            return found.token.bytesToHandOff
        }
        let store = JobStore.standard()
        let dispatcher = try Dispatcher(settings: settings, store: store, hubToken: token)
        let bundleURL = store.directory.appendingPathComponent("bundles").appendingPathComponent(SubmittedJob.newID())
        try FileManager.default.createDirectory(at: bundleURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        let modelFiles = try modelToSend().map { try JobBundle.modelFiles(at: $0) } ?? []
        let reference = try modelHub.map { text -> ModelReference in
            let repository = try RepositoryID(parsing: text)
            progress("verifying \(repository.id) here to pin the reference")
            return try ReferencedModel.make(repo: repository.id, revision: repository.revision, progress: { progress($0) })
        }
        let bundle = try JobBundle.create(trainingConfig: URL(fileURLWithPath: configPath), modelFiles: modelFiles,
                                          modelReference: reference, at: bundleURL, quenchVersion: QuenchVersion.current)
        progress("bundled \(bundle.manifest.files.count) files with their sha256 in \(bundle.directory.path)")
        guard wait else {
            let record = try await dispatcher.submit(bundle)
            return json ? try printJSON(record) : print("submitted \(record.job.id) to \(settings.name) (\(record.job.remoteID))")
        }
        let record = try await dispatcher.submit(bundle)
        progress("submitted \(record.job.id) to \(settings.name) (\(record.job.remoteID)); Ctrl-C cancels it")
        let interrupt = Self.cancelOnInterrupt(record.job, backend: dispatcher.backend)
        defer {
            interrupt.cancel()
            signal(SIGINT, SIG_DFL)
        }
        let outcome = try await dispatcher.finish(record, results: results.map { URL(fileURLWithPath: $0) },
                                                  log: { progress("remote | " + $0) })
        if json {
            try printJSON(outcome.record)
        } else {
            print("\(outcome.record.job.id): \(describe(outcome.status))")
            if let results = outcome.results { print("verified results in \(results.path)") }
            if let summary = outcome.remoteSummary {
                print("reported by the remote (shown, not trusted; evaluate the verified results locally):\n\(summary)")
            }
        }
        guard outcome.status.state == .succeeded else { throw ExitCode(1) }
    }

    /// The model files to bundle: --model, else the configuration's `model`, else (as `quench train`)
    /// the demo model; nil when a reference or the configuration names it.
    private func modelToSend() throws -> URL? {
        if let model { return URL(fileURLWithPath: model) }
        if modelHub != nil { return nil }
        if try TrainingConfig.load(contentsOf: URL(fileURLWithPath: configPath)).model != nil { return nil }
        guard FileManager.default.fileExists(atPath: DemoModel.url.path) else {
            throw ValidationError("the configuration names no model, --model is not given, and the demo model is not at \(DemoModel.url.path); run `make setup`")
        }
        return DemoModel.url
    }

    /// From now until the returned source is cancelled, Ctrl-C cancels `job` on its backend and exits 130.
    static func cancelOnInterrupt(_ job: SubmittedJob, backend: any ComputeBackend) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            progress("interrupted: cancelling \(job.id)")
            Task {
                do { try await backend.cancel(job) } catch { progress("could not cancel \(job.id): \(error)") }
                Foundation.exit(130)
            }
        }
        source.resume()
        return source
    }
}
