import Foundation
import QuenchModel
import QuenchTrain
import QuenchConfig
import QuenchData
import QuenchFiles

/// Reads the sections of a job spec, collecting every problem (the training section's included)
/// instead of stopping at the first.
struct JobSpecReader {
    var r: ConfigReader
    private var extra: [ConfigProblem] = []
    let directory: URL

    init(file: String, directory: URL) {
        r = ConfigReader(file: file, prefix: "", schema: JobSpec.schema)
        self.directory = directory
    }

    var problems: [ConfigProblem] { r.problems + extra }

    /// The spec, or nil when a problem leaves no sensible value (the problems say why).
    mutating func read(_ node: ConfigNode?, sha256: String) -> JobSpec? {
        typealias R = ConfigReader
        let root = r.root(node)
        let version = r.value("apiVersion", in: root, default: "", expected: "'\(JobSpec.apiVersion)'",
                              requirement: Requirement(text: "must be '\(JobSpec.apiVersion)'",
                                                       isMet: { $0 == JobSpec.apiVersion }), R.text)
        if version.isEmpty, !r.isPresent("apiVersion", in: root) {
            r.report(.missing, key: "apiVersion", at: root.place)
        }
        let fallbackName = URL(fileURLWithPath: r.file).deletingPathExtension().lastPathComponent
        let name = r.value("name", in: root, default: fallbackName, expected: "a name",
                           requirement: Self.safeName, R.text)
        let model = readModel(in: root)
        let (dataPins, dataSettings) = readData(in: root)
        let trainingNode = root.mapping.flatMap { R.entry("training", in: $0) }
        let training = readTraining(node: trainingNode, data: dataSettings, place: root.place)
        let evaluation = r.section("evaluation", in: root)
        let gate = requiredPath("gate", in: evaluation, what: "a gate file (evaluations/*.yaml)")
        let compute = readCompute(in: root, model: model)
        if let training, case .remote(let remote) = compute {
            checkRanks(of: remote, share: training.gradientAccumulation, given: trainingNode, place: root.place)
        }
        let registry = r.section("registry", in: root)
        let registryName = r.value("name", in: registry, default: name, expected: "a model name",
                                   requirement: Self.safeName, R.text)
        let register = r.value("register", in: registry, default: true, expected: "true or false", R.boolean)
        let registryURL = r.optional("url", in: registry, absent: nil, expected: "a registry server's URL",
                                     requirement: Self.registryURL, R.text)
        let policy = optionalPath("policy", in: root)
        guard let model, let training, let gate else { return nil }
        return JobSpec(file: r.file, sha256: sha256, name: name, model: model, dataPins: dataPins, training: training,
                       gate: gate, compute: compute,
                       registry: JobSpec.RegistrySection(name: registryName, register: register, url: registryURL),
                       policy: policy)
    }

    /// Names become folder names and registry keys: the registry's own rule (`ModelName`), checked
    /// here so a name it would refuse stops the spec before any work.
    static let safeName = Requirement<String>(text: "must be \(ModelName.rule)", isMet: ModelName.isValid)

    /// A registry server's address: https (or http to this machine, checked when connecting), no credentials in it.
    static let registryURL = Requirement<String>(
        text: "must be an https:// URL without credentials (the token comes from QUENCH_REGISTRY_TOKEN or QUENCH_REGISTRY_TOKEN_FILE)",
        isMet: { text in
            guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased() else { return false }
            return ["https", "http"].contains(scheme) && !(parts.host ?? "").isEmpty && parts.user == nil && parts.password == nil
        })

    // MARK: Sections

    private mutating func readModel(in root: ConfigReader.Section) -> JobSpec.ModelSource? {
        typealias R = ConfigReader
        let s = r.section(JobSpec.modelSection, in: root)
        guard s.mapping != nil else {
            if !r.isPresent(JobSpec.modelSection, in: root) { r.report(.missing, key: JobSpec.modelSection, at: root.place) }
            return nil
        }
        let hasPath = r.isGiven("path", in: s), hasHub = r.isGiven("hub", in: s)
        if hasPath == hasHub {
            r.report(hasPath ? .conflict(with: "model.path") : .missing, key: hasPath ? "model.hub" : "model.path",
                     at: s.place)
            return nil
        }
        if hasHub {
            let repo = r.value("hub", in: s, default: "", expected: "a repository (org/name)",
                               requirement: Requirement(text: "must look like org/name",
                                                        isMet: { $0.split(separator: "/").count == 2 }), R.text)
            let revision = r.value("revision", in: s, default: "main", expected: "a branch, tag or commit",
                                   requirement: .nonEmpty, R.text)
            let pins = readPins("files", in: s)
            let include = readStrings("include", in: s)
            if r.isGiven("sha256", in: s) {
                r.report(.conflict(with: "model.hub"), key: "model.sha256", at: r.places["model.sha256"] ?? s.place)
            }
            return .hub(repo: repo, revision: revision, pins: pins, include: include)
        }
        guard let path = requiredPath("path", in: s, what: "a .gguf file or a Hugging Face directory") else { return nil }
        for key in ["revision", "files", "include"] where r.isGiven(key, in: s) {
            r.report(.conflict(with: "model.path"), key: "model.\(key)", at: r.places["model.\(key)"] ?? s.place)
        }
        var pins: [String: String] = [:]
        switch r.lookup("sha256", in: s) {
        case .present(let entry) where entry.node.scalar != nil:
            if let digest = r.parse(entry, key: "model.sha256", expected: "a sha256", requirement: Self.hexDigest, R.text) {
                pins[URL(fileURLWithPath: path).lastPathComponent] = digest
            }
        case .present:
            pins = readPins("sha256", in: s)
        case .absent, .null:
            r.report(.missing, key: "model.sha256", at: s.place)
            return .local(path: path, pins: pins)
        }
        guard FileManager.default.fileExists(atPath: path) else { return .local(path: path, pins: pins) }  // the fetch stage says so
        do {
            let unpinned = try ModelBundle.filesRead(in: URL(fileURLWithPath: path)).map(\.lastPathComponent)
                .filter { pins[$0] == nil }.sorted()
            if !unpinned.isEmpty {
                r.report(.invalidValue(requirement: "a sha256 for every file the model loader reads (weights, index, config.json, tokenizer files)",
                                       found: "no pin for " + unpinned.joined(separator: ", ")),
                         key: "model.sha256", at: r.places["model.sha256"] ?? s.place)
            }
        } catch {
            r.report(.invalidValue(requirement: "a .gguf file or a Hugging Face folder the model loader can read", found: "\(error)"),
                     key: "model.path", at: r.places["model.path"] ?? s.place)
        }
        return .local(path: path, pins: pins)
    }

    /// The job's data: its files and how they are read (which training reads as they are), and the sha256 pins.
    private mutating func readData(in root: ConfigReader.Section)
        -> (pins: [DatasetRole: String], settings: TrainingConfig.DataSettings) {
        typealias R = ConfigReader
        typealias Settings = TrainingConfig.DataSettings
        let s = r.section("data", in: root)
        let train = requiredPath(DatasetRole.train.rawValue, in: s, what: "a JSONL or text file") ?? ""
        let validation = optionalPath(DatasetRole.validation.rawValue, in: s)
        var settings = Settings(train: train)
        settings.validation = validation
        settings.format = r.optional("format", in: s, absent: nil, expected: R.choices(DatasetFormat.self),
                                     DatasetFormat.init(rawValue:))
        settings.maxSequenceLength = r.value("max_sequence_length", in: s, default: settings.maxSequenceLength,
                                             expected: "an integer", requirement: .atLeast(2), R.integer)
        settings.sequences = r.value("sequences", in: s, default: settings.sequences,
                                     expected: R.choices(SequencePolicy.self),
                                     SequencePolicy.init(rawValue:))
        var pins: [DatasetRole: String] = [:]
        for (key, digest) in readPins("sha256", in: s) {
            guard let role = DatasetRole(rawValue: key) else {
                r.report(.invalidValue(requirement: "pins name 'train' or 'validation'", found: "'\(key)'"),
                         key: "data.sha256.\(key)", at: r.places["data.sha256"] ?? s.place)
                continue
            }
            pins[role] = digest
        }
        return (pins, settings)
    }

    /// The training section through the trainer's own reader (same keys, same messages, prefixed
    /// `training.`), with the data the job's `data` section describes.
    private mutating func readTraining(node: ConfigNode?, data: TrainingConfig.DataSettings,
                                       place: ConfigPlace) -> TrainingConfig? {
        var entries: [(ConfigNode, ConfigNode)] = []
        if case .mapping(let mapping)? = node {
            for (key, value) in mapping {
                if let name = key.scalar?.string, [JobSpec.modelSection, "output", "data"].contains(name) {
                    let section = name == "output" ? "the run directory" : "the job's `\(name)` section"
                    extra.append(ConfigProblem(file: r.file, line: key.mark?.line ?? place.line,
                                               column: key.mark?.column ?? place.column, key: "training.\(name)",
                                               kind: .invalidValue(requirement: "is set by \(section)",
                                                                   found: "a value here")))
                    continue
                }
                entries.append((key, value))
            }
        } else if let node, node.null == nil {
            extra.append(ConfigProblem(file: r.file, line: node.mark?.line ?? place.line,
                                       column: node.mark?.column ?? place.column, key: "training",
                                       kind: .wrongType(expected: "a mapping of keys", found: ConfigReader.describe(node))))
            return nil
        }
        do {
            return try TrainingConfig.load(node: ConfigNode.mapping(ConfigNode.Mapping(entries)), file: r.file,
                                           keyPrefix: "training", data: data)
        } catch TrainingConfigError.file(.invalid(_, let problems)) {
            extra += problems
        } catch {
            extra.append(ConfigProblem(file: r.file, line: place.line, column: place.column, key: "training",
                                       kind: .invalidValue(requirement: "must be a valid training section",
                                                           found: "\(error)")))
        }
        return nil
    }
}
