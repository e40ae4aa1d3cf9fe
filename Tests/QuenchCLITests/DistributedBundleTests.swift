import Foundation
import Testing
import QuenchTestSupport

/// `mpirun -np 2 quench train --bundle DIR`, what a Slurm job with 2 tasks runs: every rank verifies
/// the bundle, rank 0 alone fetches a referenced model (placing the files in the bundle, which every
/// node sees) and writes the output and its manifest, and the adapter is one process's.
@Suite("mpirun -np 2 quench train --bundle", .serialized, .timeLimit(.minutes(3)), .requiresPrograms(MPIRun.programs))
struct DistributedBundleTests {
    /// `DispatchLocalTests.handMadeBundle` in `folder` with 2 micro-batches per step (one per rank).
    static func bundle(in folder: URL, version: String) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bundle = try DispatchLocalTests.handMadeBundle(in: folder, version: version)
        try edit(bundle.appendingPathComponent("training.yaml")) { $0 + "\ngradient_accumulation: 2\n" }
        try writeManifest(of: bundle, version: version)
        return bundle
    }

    /// Replaces the text of `file` by `change` of it.
    static func edit(_ file: URL, _ change: (String) -> String) throws {
        try Data(change(try String(contentsOf: file, encoding: .utf8)).utf8).write(to: file)
    }

    /// Rewrites the manifest of `bundle` over every file in it but the manifest (sha256 by coreutils).
    static func writeManifest(of bundle: URL, version: String) throws {
        let paths = (FileManager.default.subpaths(atPath: bundle.path) ?? []).sorted().filter { path in
            var folder: ObjCBool = false
            return path != "manifest.json" && FileManager.default.fileExists(atPath: bundle.appendingPathComponent(path).path, isDirectory: &folder)
                && !folder.boolValue
        }
        let files = try paths.map { path -> [String: Any] in
            let url = bundle.appendingPathComponent(path)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
            return ["path": path, "size": size, "sha256": try DispatchLocalTests.sha256(url)]
        }
        try JSONSerialization.data(withJSONObject: ["quench_version": version, "files": files], options: [.sortedKeys])
            .write(to: bundle.appendingPathComponent("manifest.json"))
    }

    /// The paths an output manifest lists.
    static func listed(_ bundle: URL) throws -> [String] {
        let manifest = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: bundle.appendingPathComponent("output/manifest.json"))) as? [String: Any])
        return try #require(manifest["files"] as? [[String: Any]]).compactMap { $0["path"] as? String }.sorted()
    }

    /// mpirun's one context: 2 ranks training `bundle`.
    static func ranks(_ bundle: URL) -> [MPIRun.Context] {
        [MPIRun.Context(ranks: 2, program: QuenchBinary.url, arguments: ["train", "--bundle", bundle.path])]
    }

    static let adapter = "output/adapter/adapter_model.safetensors"

    @Test("2 ranks train a bundle to 1 process's adapter; trained again, rank 0 refuses it and the job stops")
    func twoRanksTrainABundle() throws {
        let folder = try TemporaryDirectory.create("mpi-bundle")
        defer { try? FileManager.default.removeItem(at: folder) }
        let version = try DispatchLocalTests().version
        let home = folder.appendingPathComponent("home")
        let alone = try Self.bundle(in: folder.appendingPathComponent("alone"), version: version)
        let ranked = try Self.bundle(in: folder.appendingPathComponent("ranked"), version: version)
        let (status, output) = try DispatchTestSupport.run(["train", "--bundle", alone.path], home: home, environment: ["OMP_NUM_THREADS": "1"])
        try #require(status == 0, "\(output)")

        let result = try MPIRun.run(Self.ranks(ranked), seconds: 120, environment: ["QUENCH_HOME": home.path])
        try #require(result.succeeded, "\(result.output)")
        #expect(try Data(contentsOf: ranked.appendingPathComponent(Self.adapter)) == Data(contentsOf: alone.appendingPathComponent(Self.adapter)))
        #expect(try Self.listed(ranked) == Self.listed(alone))
        #expect(try Self.listed(ranked).contains("summary.json"))

        let again = try MPIRun.run(Self.ranks(ranked), seconds: 60, environment: ["QUENCH_HOME": home.path])
        #expect(!again.succeeded && again.output.contains("trained already"), "\(again.output)")
    }

    @Test("2 ranks on a bundle whose model is a hub reference: rank 0 alone fetches it, both train it",
          .requiresPrograms(NginxServer.programs))
    func twoRanksTrainAReferencedModel() throws {
        let folder = try TemporaryDirectory.create("mpi-reference")
        defer { try? FileManager.default.removeItem(at: folder) }
        let version = try DispatchLocalTests().version
        let withFiles = try Self.bundle(in: folder.appendingPathComponent("files"), version: version)
        let referenced = try Self.bundle(in: folder.appendingPathComponent("referenced"), version: version)
        let token = "hf_test_\(UUID().uuidString)"
        var digests: [String: String] = [:]
        var served: [(String, Data)] = []
        for name in ["config.json", "model.safetensors", "tokenizer.json"] {
            let file = referenced.appendingPathComponent("model/\(name)")
            served.append((name, try Data(contentsOf: file)))
            digests[name] = try DispatchLocalTests.sha256(file)
        }
        let hub = try CLITestHub(token: token, files: served)
        defer { hub.stop() }
        try FileManager.default.removeItem(at: referenced.appendingPathComponent("model"))
        try JSONSerialization.data(withJSONObject: ["repo": "quench/cli", "commit": hub.commit, "files": digests], options: [.sortedKeys])
            .write(to: referenced.appendingPathComponent("model-reference.json"))
        try Self.edit(referenced.appendingPathComponent("training.yaml")) {
            $0.replacingOccurrences(of: "model: model\n", with: "model: model-reference.json\n")
        }
        try Self.writeManifest(of: referenced, version: version)

        let home = folder.appendingPathComponent("home")
        let environment = ["QUENCH_HOME": home.path, "QUENCH_HUB_CONFIG": hub.config.path,
                           "HF_HOME": folder.appendingPathComponent("hf").path, "HF_TOKEN": token]
        let result = try MPIRun.run(Self.ranks(referenced), seconds: 120, environment: environment)
        try #require(result.succeeded, "\(result.output)")
        let fetching = result.output.components(separatedBy: "] fetching quench/cli at \(hub.commit)")
        #expect(fetching.count == 2 && fetching[0].hasSuffix("[rank 0/2"), "rank 0 alone fetches: \(result.output)")
        #expect(result.output.contains("[rank 1/2] checked the 3 files rank 0 fetched against the reference's sha256"), "\(result.output)")
        #expect(!result.output.contains(token))
        // Rank 0 placed the files themselves, hard links into its hub cache on this one file system,
        // not symbolic links into a cache that ranks on other nodes do not see.
        for name in digests.keys.sorted() {
            var info = stat()
            let placed = referenced.appendingPathComponent("control/model/\(name)").path
            #expect(lstat(placed, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && info.st_nlink >= 2,
                    "\(placed): mode \(String(info.st_mode, radix: 8)), \(info.st_nlink) links")
        }

        let files = try MPIRun.run(Self.ranks(withFiles), seconds: 120, environment: ["QUENCH_HOME": home.path])
        try #require(files.succeeded, "\(files.output)")
        #expect(try Data(contentsOf: referenced.appendingPathComponent(Self.adapter))
                == Data(contentsOf: withFiles.appendingPathComponent(Self.adapter)), "the fetched model trains as the sent one")
    }
}
