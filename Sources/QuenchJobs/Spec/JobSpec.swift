import Foundation
import QuenchDispatch
import QuenchTrain

/// A job spec (`apiVersion: quench/v1`): everything one run needs, from the model's source to the
/// registry entry. Paths are absolute once loaded (relative ones are resolved against the spec's folder).
public struct JobSpec: Sendable, Equatable {
    /// Where the base model comes from.
    public enum ModelSource: Sendable, Equatable {
        /// A file or Hugging Face directory on this machine, pinned to a sha256 (of the file, or of
        /// each named file of the directory).
        case local(path: String, pins: [String: String])
        /// A repository on a Hugging Face-compatible hub, fetched at `revision` with optional pins.
        case hub(repo: String, revision: String, pins: [String: String], include: [String]?)
    }

    /// The training and validation files with their optional sha256 pins: a view of the training
    /// configuration's data (where the files are described, once) and the spec's pins.
    public struct DataSection: Sendable, Equatable {
        public var train: String
        public var validation: String?
        /// The sha256 pinned for each dataset (`train`, `validation`) under `data.sha256`.
        public var pins: [DatasetRole: String]

        /// The dataset files by role.
        var files: Datasets<String> { Datasets(train: train, validation: validation) }
    }

    /// Where training runs; `local` runs in this process.
    public enum Compute: Sendable, Equatable {
        case local
        /// A named backend of a compute file (SSH host, Slurm cluster, or a detached local process).
        case remote(RemoteCompute)
    }

    /// A backend of a compute file as the spec chose it, read when the spec was loaded.
    public struct RemoteCompute: Sendable, Equatable {
        /// The backend's entry (its name is the spec's `compute.backend`).
        public let settings: BackendSettings
        /// The compute file the entry was read from.
        public let file: String
        /// The spec's `compute.slurm` resources, over the compute file's.
        public let slurm: SlurmResources?
        /// How the base model reaches the training machine (`compute.send_model`).
        public let sendModel: ModelTransfer
    }

    /// How a remote backend gets the base model.
    public enum ModelTransfer: String, Sendable, Equatable, CaseIterable {
        /// Its files travel in the job bundle.
        case files
        /// The training machine fetches the same commit from its hub, checked against this side's sha256.
        case reference
    }

    /// What happens to a model that passes its gate.
    public struct RegistrySection: Sendable, Equatable {
        public var name: String
        public var register: Bool
        /// A registry server to register with (`registry.url`); nil: the embedded registry, unless the
        /// run's environment sets `QUENCH_REGISTRY_URL`.
        public var url: String?
    }

    /// The spec file itself and its sha256, so reports and lineage name exactly what ran.
    public let file: String
    public let sha256: String
    /// The job's name: run directories and reports use it.
    public let name: String
    public let model: ModelSource
    /// The sha256 pinned for each dataset under `data.sha256`.
    let dataPins: [DatasetRole: String]
    /// The training settings with the job's data (`data`: files, format, sequences); `model` and
    /// `output`, and the files as the data stage hands them over, are filled in by the train stage.
    public let training: TrainingConfig
    /// The gate file (`evaluations/*.yaml`).
    public let gate: String
    public let compute: Compute
    public let registry: RegistrySection
    /// The data-governance policy file (`configs/*.yaml`), if the job names one.
    public let policy: String?

    /// The job's datasets and their pins.
    public var data: DataSection {
        DataSection(train: training.data.train, validation: training.data.validation, pins: dataPins)
    }
}

extension JobSpec.Compute {
    /// What about where training runs decides the train stage's result, as stable text for its inputs:
    /// the backend, its host, the resources asked for and how the model travels; not how often the
    /// backend is polled nor where the compute file or the remote's folders are.
    var trainingIdentity: String {
        guard case .remote(let remote) = self else { return "local" }
        let settings = remote.settings
        let host = settings.ssh.map { "\($0.user)@\($0.host):\($0.port)" } ?? "here"
        let resources = settings.slurmResources(overriding: remote.slurm)
        let slurm = settings.kind == .slurm ? resources.identity : ""
        return "\(settings.kind.rawValue):\(settings.name):\(host):\(slurm):\(remote.sendModel.rawValue)"
    }
}
