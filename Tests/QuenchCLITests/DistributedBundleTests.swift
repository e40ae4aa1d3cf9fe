import Foundation
import Testing
import QuenchTestSupport

/// `mpirun -np 2 quench train --bundle DIR`, what a Slurm job with 2 tasks runs: every rank verifies
/// the bundle, rank 0 alone writes the output and its manifest, and the adapter is one process's.
@Suite("mpirun -np 2 quench train --bundle", .serialized, .timeLimit(.minutes(3)), .requiresPrograms(MPIRun.programs))
struct DistributedBundleTests {
    /// `DispatchLocalTests.handMadeBundle` in `folder` with 2 micro-batches per step (one per rank),
    /// its manifest entry for training.yaml rewritten to match.
    static func bundle(in folder: URL, version: String) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bundle = try DispatchLocalTests.handMadeBundle(in: folder, version: version)
        let training = bundle.appendingPathComponent("training.yaml")
        try Data((try String(contentsOf: training, encoding: .utf8) + "\ngradient_accumulation: 2\n").utf8).write(to: training)
        let manifestURL = bundle.appendingPathComponent("manifest.json")
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
        let files = try #require(manifest["files"] as? [[String: Any]])
        let size = try #require(try FileManager.default.attributesOfItem(atPath: training.path)[.size] as? Int)
        let digest = try DispatchLocalTests.sha256(training)
        manifest["files"] = files.map { $0["path"] as? String == "training.yaml" ? ["path": "training.yaml", "size": size, "sha256": digest] : $0 }
        try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys]).write(to: manifestURL)
        return bundle
    }

    /// The paths an output manifest lists.
    static func listed(_ bundle: URL) throws -> [String] {
        let manifest = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: bundle.appendingPathComponent("output/manifest.json"))) as? [String: Any])
        return try #require(manifest["files"] as? [[String: Any]]).compactMap { $0["path"] as? String }.sorted()
    }

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

        let ranks = [MPIRun.Context(ranks: 2, program: QuenchBinary.url, arguments: ["train", "--bundle", ranked.path])]
        let result = try MPIRun.run(ranks, seconds: 120, environment: ["QUENCH_HOME": home.path])
        try #require(result.succeeded, "\(result.output)")
        let adapter = "output/adapter/adapter_model.safetensors"
        #expect(try Data(contentsOf: ranked.appendingPathComponent(adapter)) == Data(contentsOf: alone.appendingPathComponent(adapter)))
        #expect(try Self.listed(ranked) == Self.listed(alone))
        #expect(try Self.listed(ranked).contains("summary.json"))

        let again = try MPIRun.run(ranks, seconds: 60, environment: ["QUENCH_HOME": home.path])
        #expect(!again.succeeded && again.output.contains("trained already"), "\(again.output)")
    }
}
