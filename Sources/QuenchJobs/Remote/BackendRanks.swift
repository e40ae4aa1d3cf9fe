import Foundation
import QuenchConfig
import QuenchDispatch
import QuenchTrain

/// The ranks a compute backend trains with: a Slurm backend's nodes × tasks_per_node, one for any
/// other. Checked against the training settings before anything is bundled or queued, since the
/// trainer refuses steps its ranks cannot share (`RankShare`) only once the job starts on the cluster.
struct BackendRanks: Equatable {
    /// How many ranks train together.
    let count: Int
    /// Where the count comes from, for messages: the backend, its nodes × tasks_per_node, and the job
    /// spec's `compute.slurm` when that sets either.
    let origin: String

    /// The ranks of the backend `settings` describe with `overrides` (a job spec's `compute.slurm`) applied.
    /// - Throws: `DispatchError.invalidComputeConfig` naming `nodes` or `tasks_per_node` for a count below
    ///   1, or a product too large to count.
    init(settings: BackendSettings, overriding overrides: SlurmResources?) throws {
        guard settings.kind == .slurm else {
            (count, origin) = (1, "backend '\(settings.name)'")
            return
        }
        let resources = settings.slurmResources(overriding: overrides)
        count = try resources.tasks()
        let overridden = overrides.map { $0.nodes != nil || $0.tasksPerNode != nil } ?? false
        origin = "backend '\(settings.name)' (nodes \(resources.nodes ?? 1) × tasks_per_node \(resources.tasksPerNode ?? 1)"
            + (overridden ? " with the job spec's compute.slurm)" : ")")
    }

    /// What is wrong with steps of `accumulation` micro-batches on these ranks, as a problem of the
    /// `gradient_accumulation` key (`given` false: absent, so its default); nil when every rank can
    /// compute the same share of each step.
    func refusal(accumulation: Int, given: Bool) -> ConfigProblem.Kind? {
        do throws(TrainingError) {
            try RankShare.requireShareable(accumulation: accumulation, ranks: count)
            return nil
        } catch {
            let reason: String
            if case .invalidSetting(_, let why) = error { reason = why } else { reason = error.description }
            return .invalidValue(requirement: "must be a multiple of the \(count) ranks of \(origin)",
                                 found: "\(accumulation)\(given ? "" : " (the default: it is not given)"): \(reason)")
        }
    }

    /// Where `gradient_accumulation` is given in the training mapping `node` (its value, else `fallback`
    /// for a value without a mark); nil when it is absent, so its default applies.
    static func accumulationPlace(in node: ConfigNode?, orElse fallback: ConfigPlace) -> ConfigPlace? {
        guard case .mapping(let mapping)? = node, let value = ConfigReader.entry("gradient_accumulation", in: mapping) else {
            return nil
        }
        return ConfigPlace(value, orElse: fallback)
    }

    /// Reads the training configuration file at `url` and refuses it, naming the line of its
    /// `gradient_accumulation`, when these ranks cannot share its steps.
    /// - Throws: `TrainingConfigError.file` with every problem of the file (this one included).
    func loadTraining(contentsOf url: URL) throws -> TrainingConfig {
        let document: ConfigDocument
        do throws(ConfigFileError) {
            document = try ConfigDocument(contentsOf: url.path)
        } catch {
            throw TrainingConfigError.file(error)
        }
        let config = try TrainingConfig.load(node: document.root, file: url.path)
        let given = Self.accumulationPlace(in: document.root, orElse: .start)
        if let refusal = refusal(accumulation: config.gradientAccumulation, given: given != nil) {
            let place = given ?? .start
            throw TrainingConfigError.file(.invalid(file: url.path, problems: [
                ConfigProblem(file: url.path, line: place.line, column: place.column, key: "gradient_accumulation", kind: refusal),
            ]))
        }
        return config
    }
}
