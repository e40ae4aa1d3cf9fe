import Foundation
import QuenchRegistry
import QuenchRegistryClient

/// Stage 8: registers the signed, gated artifacts as the next version of the job's model name,
/// pending approval, with the run's full lineage. The registry re-checks the gate report and the
/// hashes of every file it names rather than trusting this run.
///
/// With a registry server (`QUENCH_REGISTRY_URL` in the run's environment, or the spec's `registry.url`)
/// the evaluated artifacts are uploaded to it and it registers them as the token's user; otherwise the
/// embedded registry in the run's Quench home registers them as the local user.
struct RegisterStage: Stage {
    /// The registry entry created.
    struct Output: Codable, Sendable {
        let name: String
        let version: Int
        let status: String
        let createdBy: String
        let artifactDirectory: String
        /// The server's URL, or the embedded registry's home.
        let registry: String
        /// The server's URL when a registry server registered it; nil for the embedded registry.
        let server: String?
    }

    static let name = StageName.register
    let context: RunContext
    let lineage: RunLineage
    let train: TrainStage.Output
    let gate: GateStage.Output
    let sign: SignStage.Output

    func inputs() throws -> [String: String] {
        var inputs = ["signature": sign.sha256, "name": context.spec.registry.name, "gate": gate.evaluatedAt]
        if let url = try Self.serverURL(context.spec, environment: context.environment) { inputs["registry"] = url }
        return inputs
    }

    func run(events: @escaping RunEvents) throws -> Output {
        let registry: any RegistryService
        let location: String
        let server = try Self.serverURL(context.spec, environment: context.environment)
        if let server {
            let remote = try RemoteRegistry.connect(server, environment: context.environment)
            (registry, location) = (remote, remote.url)
        } else {
            let local = try Registry.open(home: context.home.root, config: nil, environment: context.environment)
            (registry, location) = (local, local.home.path)
        }
        let artifacts = URL(fileURLWithPath: train.artifacts)
        // The files training wrote (and the gate evaluated); the registry signs its own copy.
        let files = train.files.map { String($0.path.dropFirst(artifacts.path.count + 1)) }
        let version = try registry.register(RegistrationRequest(
            name: context.spec.registry.name, artifactDirectory: artifacts, artifactFiles: files,
            gateReport: URL(fileURLWithPath: gate.report), lineage: try lineage.lineage(context)))
        return Output(name: version.name, version: version.version, status: version.status.rawValue,
                      createdBy: version.createdBy, artifactDirectory: version.artifactDirectory, registry: location,
                      server: server == nil ? nil : location)
    }

    /// The registry server to register with: `QUENCH_REGISTRY_URL` or `registry.url`; both naming
    /// different servers is refused rather than one silently winning.
    static func serverURL(_ spec: JobSpec, environment variables: [String: String]) throws -> String? {
        let environment = RegistryURL.configured(explicit: nil, environment: variables)
        let fromSpec = spec.registry.url
        if let environment, let fromSpec, normalized(environment) != normalized(fromSpec) {
            throw RunError.unsupported(
                "QUENCH_REGISTRY_URL=\(environment) and registry.url: \(fromSpec) in \(spec.file) name different "
                    + "registry servers; unset one or make them agree")
        }
        return environment ?? fromSpec
    }

    private static func normalized(_ text: String) -> String {
        URL(string: text).map(RegistryURL.normalized) ?? text
    }

    static func summary(_ output: Output) -> String {
        "\(output.name)@\(output.version) \(output.status), registered by \(output.createdBy)"
    }
}
