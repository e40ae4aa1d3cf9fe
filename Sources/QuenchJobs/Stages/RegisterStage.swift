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
    let context: RunContext
    let lineage: RunLineage
    let train: TrainStage.Output
    let gate: GateStage.Output
    let sign: SignStage.Output

    func inputs() throws -> [String: String] {
        ["signature": sign.sha256, "name": context.spec.registry.name, "gate": gate.evaluatedAt]
    }

    func run(events: @escaping RunEvents) throws -> Output {
        let registry = try Registry.open(home: context.home.root, config: nil, environment: context.environment)
        let artifacts = URL(fileURLWithPath: train.artifacts)
        // The files training wrote (and the gate evaluated); the registry signs its own copy.
        let files = train.files.map { String($0.path.dropFirst(artifacts.path.count + 1)) }
        let version = try registry.register(RegistrationRequest(
            name: context.spec.registry.name, artifactDirectory: artifacts, artifactFiles: files,
            gateReport: URL(fileURLWithPath: gate.report), lineage: try lineage.lineage(context)))
        return Output(name: version.name, version: version.version, status: version.status.rawValue,
                      createdBy: version.createdBy, artifactDirectory: version.artifactDirectory,
                      registry: registry.home.path)
    }

    static func summary(_ output: Output) -> String {
        "\(output.name)@\(output.version) \(output.status), registered by \(output.createdBy)"
    }
}
