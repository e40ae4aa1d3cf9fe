import Foundation
import QuenchRegistry

/// Stage 8: registers the signed, gated artifacts as the next version of the job's model name,
/// pending approval, with the run's full lineage. The registry re-checks the gate report and the
/// hashes of every file it names rather than trusting this run.
struct RegisterStage: Stage {
    /// The registry entry created.
    struct Output: Codable, Sendable {
        let name: String
        let version: Int
        let status: String
        let createdBy: String
        let artifactDirectory: String
        let registry: String
    }

    static let name = StageName.register

    func inputs(_ context: RunContext) throws -> [String: String] {
        let sign = try context.required(context.sign, .sign)
        return ["signature": sign.sha256, "name": context.spec.registry.name,
                "gate": try context.required(context.evaluate, .evaluate).report.evaluatedAt]
    }

    func run(_ context: RunContext, events: @escaping RunEvents) throws -> Output {
        let train = try context.required(context.train, .train)
        let evaluate = try context.required(context.evaluate, .evaluate)
        let registry = try Registry.open(home: nil, config: nil)
        let artifacts = URL(fileURLWithPath: train.artifacts)
        // The files training wrote (and the gate evaluated); the registry signs its own copy.
        let files = train.files.map { String($0.path.dropFirst(artifacts.path.count + 1)) }
        let version = try registry.register(RegistrationRequest(
            name: context.spec.registry.name, artifactDirectory: artifacts, artifactFiles: files,
            gateReport: URL(fileURLWithPath: evaluate.reportPath), lineage: try lineage(context)))
        return Output(name: version.name, version: version.version, status: version.status.rawValue,
                      createdBy: version.createdBy, artifactDirectory: version.artifactDirectory,
                      registry: registry.home.path)
    }

    static func store(_ output: Output, in context: inout RunContext) { context.register = output }

    static func summary(_ output: Output) -> String {
        "\(output.name)@\(output.version) \(output.status), registered by \(output.createdBy)"
    }

    /// Base model, datasets (with record counts and fingerprints), the spec's hash, the training
    /// settings and the Quench version, as the registry keeps them.
    func lineage(_ context: RunContext) throws -> Lineage {
        let fetch = try context.required(context.fetch, .fetch)
        let verify = try context.required(context.verify, .verify)
        let data = try context.required(context.data, .data)
        let datasets = verify.checks.filter { InputRole.datasets.contains($0.role) }.map { check in
            let fingerprint = data.fingerprint(of: check.role)
            return DatasetLineage(path: check.file.path, sha256: check.file.sha256, records: fingerprint?.records ?? 0,
                                  fingerprint: fingerprint.map { "sha256:\($0.sha256)" })
        }
        let settings = try JSONDecoder().decode(JSONValue.self, from: RunFiles.encoder.encode(context.spec.training))
        return Lineage(
            baseModel: BaseModelLineage(source: fetch.repo ?? fetch.location, commit: fetch.commit,
                                        files: fetch.files.map { HashedFile(path: $0.path, sha256: $0.sha256) }),
            datasets: datasets, jobSpecSHA256: context.spec.sha256, hyperparameters: settings,
            quenchVersion: context.quenchVersion)
    }
}
