import Foundation
import QuenchDispatch
import QuenchJobs
import QuenchSecurity
import QuenchTrain
import Testing
@testable import QuenchConfig
import QuenchTestSupport

/// Job specs: a valid one loads with paths resolved; each kind of mistake is reported with file,
/// line and key, and all mistakes of a file come out together.
@Suite struct JobSpecTests {
    let directory: TemporaryDirectory
    var folder: URL { directory.url }

    init() throws {
        directory = try TemporaryDirectory("spec")
        try FileManager.default.createDirectory(at: directory.url.appendingPathComponent("data"), withIntermediateDirectories: true)
        try directory.file("data/train.jsonl", lines: ["{}"])
        try directory.file("gate.yaml", lines: ["sets: []"])
        try directory.file("model.gguf", bytes: Data("weights".utf8))
    }

    func write(_ text: String) throws -> URL {
        let url = folder.appendingPathComponent("job.yaml")
        try Data(text.utf8).write(to: url)
        return url
    }

    func problems(_ text: String) throws -> [ConfigProblem] {
        do {
            _ = try JobSpec.load(contentsOf: try write(text))
        } catch JobSpecError.invalid(_, let problems) {
            return problems
        }
        Issue.record("the spec was accepted")
        return []
    }

    var pin: String { FileDigest.sha256(of: Data("weights".utf8)) }

    var valid: String {
        """
        apiVersion: quench/v1
        name: tiny-job
        model:
          path: model.gguf
          sha256: \(pin)
        data:
          train: data/train.jsonl
          format: prompt_completion
          max_sequence_length: 32
        training:
          method: lora
          lora: {rank: 4, alpha: 8}
          batch_size: 2
          max_steps: 3
        evaluation:
          gate: gate.yaml
        registry:
          name: tiny
        """
    }

    @Test func aValidSpecLoadsWithResolvedPaths() throws {
        let spec = try JobSpec.load(contentsOf: try write(valid))
        #expect(spec.name == "tiny-job")
        #expect(spec.model == .local(path: folder.appendingPathComponent("model.gguf").standardizedFileURL.path,
                                     pins: ["model.gguf": pin]))
        #expect(spec.data.train == folder.appendingPathComponent("data/train.jsonl").standardizedFileURL.path)
        #expect(spec.training.lora.rank == 4 && spec.training.maxSteps == 3)
        #expect(spec.training.data.maxSequenceLength == 32)
        #expect(spec.training.data.format == .promptCompletion)
        #expect(spec.gate.hasSuffix("/gate.yaml"))
        #expect(spec.compute == .local && spec.registry.register && spec.registry.name == "tiny")
        #expect(spec.sha256.count == 64)
    }

    @Test func everyMistakeIsReportedAtOnceWithLineAndKey() throws {
        let found = try problems("""
            apiVersion: quench/v2
            model:
              path: missing.gguf
              sha256: not-a-hash
            data:
              train: data/train.jsonl
              fromat: chat
            training:
              batch_size: 0
              learning_rate: 0.1
              output: elsewhere
            evaluation:
              gate: gates/none.yaml
            registry:
              register: maybe
            """)
        let byKey = Dictionary(found.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byKey["apiVersion"]?.line == 1)
        #expect(byKey["model.path"]?.line == 3, "a missing model file names its line")
        #expect(byKey["model.sha256"]?.line == 4)
        #expect(byKey["data.fromat"].map { "\($0)".contains("did you mean 'format'") } == true)
        #expect(byKey["training.batch_size"]?.line == 9)
        #expect(byKey["training.learning_rate"].map { "\($0)".contains("optimizer.learning_rate") } == true)
        #expect(byKey["training.output"]?.line == 11)
        #expect(byKey["evaluation.gate"]?.line == 13)
        #expect(byKey["registry.register"]?.line == 15)
        #expect(found.allSatisfy { $0.file.hasSuffix("job.yaml") })
        #expect(found.count >= 9)
    }

    @Test func missingSectionsAndBothModelSourcesAreRefused() throws {
        let empty = try problems("apiVersion: quench/v1\n")
        #expect(Set(empty.map(\.key)).isSuperset(of: ["model", "data.train", "evaluation.gate"]))
        let both = try problems(valid.replacingOccurrences(of: "  path: model.gguf", with: "  path: model.gguf\n  hub: org/name"))
        #expect(both.contains { $0.key == "model.hub" })
    }

    @Test func computeNamesABackendOfTheComputeFileAndItsSlurmResources() throws {
        try Data("""
            backends:
              box: {kind: ssh, host: box.example.org, user: q, identity_file: /k, known_hosts_file: /h}
              cluster: {kind: slurm, work_directory: /shared/jobs, slurm: {partition: cpu, time_limit: "60"}}
            """.utf8).write(to: folder.appendingPathComponent("compute.yaml"))
        let spec = try JobSpec.load(contentsOf: try write(valid + """

            compute:
              backend: cluster
              config: compute.yaml
              slurm: {time_limit: "30", cpus: 2}
            """))
        guard case .remote(let remote) = spec.compute else { Issue.record("expected a remote backend"); return }
        #expect(remote.settings.name == "cluster" && remote.settings.kind == .slurm)
        #expect(remote.settings.slurm?.partition == "cpu")
        #expect(remote.slurm == SlurmResources(timeLimit: "30", cpus: 2))
        #expect(remote.file == folder.appendingPathComponent("compute.yaml").standardizedFileURL.path)

        func problems(_ compute: String) throws -> [String: ConfigProblem] {
            let found = try self.problems(valid + "\ncompute:\n" + compute)
            return Dictionary(found.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let unknown = try problems("  backend: nowhere\n  config: compute.yaml\n")
        #expect(unknown["compute.backend"]?.line == 20)
        #expect(unknown["compute.backend"].map { "\($0)".contains("nowhere") && "\($0)".contains("box, cluster") } == true)
        let noFile = try problems("  backend: box\n  config: missing.yaml\n")
        #expect(noFile["compute.config"]?.line == 21)
        let slurmOnSSH = try problems("  backend: box\n  config: compute.yaml\n  slurm: {cpus: 2}\n")
        #expect(slurmOnSSH["compute.slurm"].map { "\($0)".contains("only a slurm backend") } == true)
        let badResources = try problems("  backend: cluster\n  config: compute.yaml\n  slurm: {time_limit: soon, gpus: 0}\n")
        #expect(badResources["compute.slurm.gpus"] != nil && badResources["compute.slurm.time_limit"] != nil,
                "\(badResources.keys.sorted())")
        let localWithFile = try problems("  backend: local\n  config: compute.yaml\n")
        #expect(localWithFile["compute.config"] != nil)
        let referenceToAFile = try problems("  backend: box\n  config: compute.yaml\n  send_model: reference\n")
        #expect(referenceToAFile["compute.send_model"].map { "\($0)".contains("model.hub") } == true)
        let unknownTransfer = try problems("  backend: box\n  config: compute.yaml\n  send_model: carrier-pigeon\n")
        #expect(unknownTransfer["compute.send_model"].map { "\($0)".contains("'files'") } == true)
    }

    @Test func aLocalModelFolderNeedsAPinForEveryFileTheLoaderReads() throws {
        let model = folder.appendingPathComponent("tiny-model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors", "tokenizer.json", "README.md"] {
            try Data(name.utf8).write(to: model.appendingPathComponent(name))
        }
        let weights = FileDigest.sha256(of: Data("model.safetensors".utf8))
        let spec = { (pins: String) in
            valid.replacingOccurrences(of: "  path: model.gguf\n  sha256: \(pin)", with: "  path: tiny-model\n  sha256: \(pins)")
        }
        for pins in ["{}", "{model.safetensors: \(weights)}"] {
            let found = try problems(spec(pins))
            let problem = try #require(found.first { $0.key == "model.sha256" }, "accepted \(pins)")
            #expect(problem.line == 5)
            let text = "\(problem)"
            #expect(text.contains("config.json") && text.contains("tokenizer.json") && !text.contains("README.md"), "\(text)")
        }
        let all = ["config.json", "model.safetensors", "tokenizer.json"]
            .map { "\($0): \(FileDigest.sha256(of: Data($0.utf8)))" }.joined(separator: ", ")
        let loaded = try JobSpec.load(contentsOf: try write(spec("{\(all)}")))
        guard case .local(_, let pins) = loaded.model else { Issue.record("not a local model"); return }
        #expect(pins.count == 3)
    }

    /// Only the files `ModelBundle.open` reads need pins: a nested config.json, a stray safetensors
    /// file and a shard the index does not name are never loaded, so they need none.
    @Test func filesTheLoaderNeverReadsNeedNoPin() throws {
        let model = folder.appendingPathComponent("sharded")
        try FileManager.default.createDirectory(at: model.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let index = #"{"weight_map": {"a": "model-1.safetensors"}}"#
        let files = ["config.json": "{}", "model.safetensors.index.json": index, "model-1.safetensors": "shard",
                     "model-2.safetensors": "stray shard", "reference.safetensors": "stray", "sub/config.json": "{}"]
        for (name, text) in files { try Data(text.utf8).write(to: model.appendingPathComponent(name)) }
        let pinLine = { (name: String) in "\(name): \(FileDigest.sha256(of: Data(files[name, default: ""].utf8)))" }
        let spec = { (pins: [String]) in
            valid.replacingOccurrences(of: "  path: model.gguf\n  sha256: \(pin)",
                                       with: "  path: sharded\n  sha256: {\(pins.joined(separator: ", "))}")
        }
        let read = ["config.json", "model.safetensors.index.json", "model-1.safetensors"]
        let loaded = try JobSpec.load(contentsOf: try write(spec(read.map(pinLine))))
        guard case .local(_, let pins) = loaded.model else { Issue.record("not a local model"); return }
        #expect(Set(pins.keys) == Set(read))
        let found = try problems(spec(["config.json", "model.safetensors.index.json"].map(pinLine)))
        let problem = try #require(found.first { $0.key == "model.sha256" })
        #expect("\(problem)".contains("model-1.safetensors") && !"\(problem)".contains("model-2"), "\(problem)")
    }

    @Test func aModelFolderTheLoaderCannotReadIsReportedAtItsPath() throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("empty-model"), withIntermediateDirectories: true)
        let found = try problems(valid.replacingOccurrences(of: "  path: model.gguf\n  sha256: \(pin)",
                                                             with: "  path: empty-model\n  sha256: {}"))
        let problem = try #require(found.first { $0.key == "model.path" })
        #expect("\(problem)".contains("empty-model"), "\(problem)")
    }

    @Test func malformedYAMLNamesTheFile() throws {
        #expect(throws: JobSpecError.self) { try JobSpec.load(contentsOf: try write("model: [unclosed\n")) }
        do {
            _ = try JobSpec.load(contentsOf: try write("model: [unclosed\n"))
        } catch {
            #expect("\(error)".contains("job.yaml"))
        }
    }

    @Test(.requiresQuickstartModel) func theQuickstartSpecIsValid() throws {
        let url = SharedFixtures.repository.appendingPathComponent("jobs/smollm2-135m_lora_quickstart.yaml")
        let spec = try JobSpec.load(contentsOf: url)
        #expect(spec.training.method == .lora)
    }
}
