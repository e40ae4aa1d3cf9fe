import Foundation
import QuenchDispatch
import QuenchTrain
import QuenchConfig

extension JobSpecReader {
    /// Where the compute file is when the spec does not say: `$QUENCH_COMPUTE_CONFIG`, else
    /// `configs/compute.yaml` in the current directory (as `quench jobs submit` reads it).
    static func defaultComputeFile() -> String {
        if let path = ProcessInfo.processInfo.environment["QUENCH_COMPUTE_CONFIG"], !path.isEmpty {
            return URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("configs/compute.yaml").standardizedFileURL.path
    }

    /// `compute`: `backend: local` trains in this process; any other name is an entry of the compute
    /// file (`compute.config`), read now so a wrong name or a broken file stops the spec before any work.
    /// `send_model: reference` lets the training machine fetch a hub model itself instead of receiving it.
    mutating func readCompute(in root: ConfigReader.Section, model: JobSpec.ModelSource?) -> JobSpec.Compute {
        let s = r.section("compute", in: root)
        let backend = r.value("backend", in: s, default: "local", expected: "'local' or a backend of the compute file",
                              requirement: JobSpecReader.safeName, ConfigReader.text)
        let slurm = readSlurmResources(in: s)
        let sendModel = r.value("send_model", in: s, default: JobSpec.ModelTransfer.files,
                                expected: ConfigReader.choices(JobSpec.ModelTransfer.self), JobSpec.ModelTransfer.init(rawValue:))
        if sendModel == .reference, case .local? = model {
            r.report(.invalidValue(requirement: "'reference' needs a model from a hub (model.hub)", found: "model.path"),
                     key: "compute.send_model", at: r.places["compute.send_model"] ?? s.place)
        }
        if backend == "local" {
            for key in ["config", "slurm", "send_model"] where r.isGiven(key, in: s) {
                r.report(.invalidValue(requirement: "is for a remote backend; `backend: local` trains in this process",
                                       found: "compute.\(key)"),
                         key: "compute.\(key)", at: r.places["compute.\(key)"] ?? s.place)
            }
            return .local
        }
        let file = optionalPath("config", in: s, what: "a compute file (configs/compute.yaml)") ?? Self.defaultComputeFile()
        let place = r.places["compute.backend"] ?? s.place
        guard FileManager.default.fileExists(atPath: file) else {
            r.report(.invalidValue(requirement: "must be a backend of a compute file",
                                   found: "'\(backend)', but there is no compute file at \(file); set compute.config or QUENCH_COMPUTE_CONFIG"),
                     key: "compute.backend", at: place)
            return .local
        }
        let settings: BackendSettings
        do {
            settings = try ComputeConfig.load(contentsOf: URL(fileURLWithPath: file)).backend(named: backend)
        } catch {
            r.report(.invalidValue(requirement: "must be a backend of the compute file \(file)", found: "'\(backend)': \(error)"),
                     key: "compute.backend", at: place)
            return .local
        }
        if slurm != nil, settings.kind != .slurm {
            r.report(.invalidValue(requirement: "only a slurm backend takes Slurm resources",
                                   found: "backend '\(backend)' of kind \(settings.kind.rawValue)"),
                     key: "compute.slurm", at: r.places["compute.slurm"] ?? s.place)
        }
        return .remote(JobSpec.RemoteCompute(settings: settings, file: file, slurm: slurm, sendModel: sendModel))
    }

    /// Refuses, at the line of `training.gradient_accumulation` (the training section's when absent),
    /// steps of `accumulation` micro-batches that the remote backend's ranks cannot share: the trainer
    /// would refuse them only after the job waited in the cluster's queue. `training` is the section's
    /// node, `place` the root's.
    mutating func checkRanks(of remote: JobSpec.RemoteCompute, share accumulation: Int, given training: ConfigNode?,
                             place: ConfigPlace) {
        let ranks: BackendRanks
        do {
            ranks = try BackendRanks(settings: remote.settings, overriding: remote.slurm)
        } catch {
            // A count below 1 is already reported where it is written; only the product of the compute
            // file's and the spec's counts can be new here.
            if !problems.contains(where: { $0.key.hasPrefix("compute.slurm") }) {
                r.report(.refused(reason: "\(error)"), key: "compute.slurm", at: r.places["compute.slurm"] ?? place)
            }
            return
        }
        let section = training.map { ConfigPlace($0, orElse: place) } ?? place
        let given = BackendRanks.accumulationPlace(in: training, orElse: section)
        guard let refusal = ranks.refusal(accumulation: accumulation, given: given != nil) else { return }
        r.report(refusal, key: "training.gradient_accumulation", at: given ?? section)
    }

    /// `compute.slurm`: the resources this job asks for, over the compute file's; each value is checked
    /// the way the batch script will use it.
    private mutating func readSlurmResources(in compute: ConfigReader.Section) -> SlurmResources? {
        guard r.isGiven("slurm", in: compute) else { return nil }
        return SlurmResources.read(&r, in: r.section("slurm", in: compute))
    }
}
