import Foundation
import QuenchRegistry

/// Where a registered model came from, as the fetch, verify and data stages recorded it.
struct RunLineage: Sendable {
    let fetch: FetchStage.Output
    let verify: VerifyStage.Output
    let data: DataStage.Output
    /// The training's metrics.jsonl, whose per-step losses become the lineage's training curve; nil
    /// when no training's metrics are at hand (the lineage then has no curve).
    var metrics: String? = nil

    /// Base model, datasets (with record counts and fingerprints, each from its own dataset's
    /// report), the spec's hash, the training settings (with `precision` written out even when it is
    /// the default fp32), the Quench version, the OS user who ran the training (who may then not
    /// approve it) and the training curve, as the registry keeps them.
    func lineage(_ context: RunContext) throws -> Lineage {
        let datasets = DatasetRole.allCases.compactMap { role in
            verify.check(role).map { check in
                let fingerprint = data.fingerprint(of: role)
                return DatasetLineage(path: check.file.path, sha256: check.file.sha256, records: fingerprint?.records ?? 0,
                                      fingerprint: fingerprint.map { "sha256:\($0.sha256)" })
            }
        }
        let training = context.spec.training
        var settings = try JSONDecoder().decode(JSONValue.self, from: RunFiles.encoder.encode(training))
        if case .object(var fields) = settings {
            fields["precision"] = .string(training.precision.rawValue)
            settings = .object(fields)
        }
        return Lineage(
            baseModel: BaseModelLineage(source: fetch.repo ?? fetch.location, commit: fetch.commit,
                                        files: fetch.files.map { HashedFile(path: $0.path, sha256: $0.sha256) }),
            datasets: datasets, jobSpecSHA256: context.spec.sha256, hyperparameters: settings,
            quenchVersion: context.quenchVersion, trainedBy: try RegistryActor.osUser(environment: context.environment),
            trainingCurve: metrics.map { TrainingCurve.read(metrics: URL(fileURLWithPath: $0)).lineagePoints() })
    }
}
