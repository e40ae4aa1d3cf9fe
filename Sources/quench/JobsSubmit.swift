import ArgumentParser
import Foundation
import QuenchDispatch
import QuenchHub
import QuenchJobs
import QuenchModel

/// `quench jobs submit`: bundle a training configuration and send it to a backend.
struct JobsSubmit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Bundle a training configuration with its data and model, and submit it to a compute backend.",
        discussion: """
            The configuration is checked here first. The bundle holds training.yaml (the checked \
            configuration with its paths inside the bundle), the data files, the model files and a sha256 \
            manifest; the remote runs `quench train --bundle` (same Quench release, checked before \
            submission) and verifies the manifest before training. With --wait the log is streamed and the \
            results are fetched and verified on success. Ctrl-C cancels the job (giving up after 30 s and \
            saying so) and exits 130; a second Ctrl-C ends at once.

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
        if results != nil, !wait {
            throw ValidationError("--results is where --wait puts the verified results; add --wait or drop --results")
        }
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

    func run() throws {
        let settings = try ComputeConfig.load(contentsOf: URL(fileURLWithPath: compute)).backend(named: backend)
        let submission = try BackendSubmission(settings: settings, hubToken: try hubToken(), say: { progress(Scrub.text($0)) })
        let bundle = try submission.bundle(trainingConfig: URL(fileURLWithPath: configPath), model: try modelToSend(),
                                           quenchVersion: QuenchVersion.current)
        InterruptHandler.install(submission.interruptPlan(bundle: bundle))
        do {
            let record = try submission.submit(bundle)
            InterruptHandler.waitIfInterrupted()
            guard wait else {
                return json ? try printJSON(record) : print("submitted \(record.job.id) to \(settings.name) (\(record.job.remoteID))")
            }
            let outcome = try submission.follow(record, results: results.map { URL(fileURLWithPath: $0) })
            InterruptHandler.waitIfInterrupted()
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
        } catch {
            InterruptHandler.waitIfInterrupted(after: error)
            throw error
        }
    }

    /// The token --hub-token-file names, to hand to the SSH host.
    private func hubToken() throws -> Data? {
        try hubTokenFile.map { path in
            let source = TokenSource(environmentToken: nil, tokenFile: URL(fileURLWithPath: path), tokenCommand: [])
            guard let found = try source.resolve() else { throw ValidationError("there is no hub token file at \(path)") }
            return found.token.bytesToHandOff
        }
    }

    /// The model to bundle: --model, else a --model-hub reference verified here, else the
    /// configuration's `model`, else (as `quench train`) the demo model.
    private func modelToSend() throws -> TrainingBundle.Model {
        if let model { return .files(try JobBundle.modelFiles(at: URL(fileURLWithPath: model))) }
        if let modelHub {
            let repository = try RepositoryID(parsing: modelHub)
            progress("verifying \(repository.id) here to pin the reference")
            return .reference(try ReferencedModel.make(repo: repository.id, revision: repository.revision, progress: { progress($0) }))
        }
        return .configured(fallback: FileManager.default.fileExists(atPath: DemoModel.url.path) ? DemoModel.url : nil)
    }
}
