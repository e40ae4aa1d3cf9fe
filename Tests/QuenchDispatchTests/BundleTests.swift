import Foundation
import Testing
@testable import QuenchDispatch
import QuenchTestSupport

/// Job bundles: what goes in and where, and every kind of tampering refused. (Rewriting a training
/// configuration into a bundle is the trainer side's: QuenchJobsTests/TrainingBundleTests.)
@Suite struct BundleTests {
    /// The training configuration a bundle carries: Dispatch copies it as given, never reads it.
    static let trainingDocument = """
        model: model
        output: output
        data: {train: data/train/train.jsonl, validation: data/validation/valid.jsonl, max_sequence_length: 32}
        """

    /// The bundle tests' source files, and where each goes in a bundle.
    static func sources() throws -> (folder: URL, files: [BundleFile]) {
        let folder = try BundleSourceFolder.create()
        let model = folder.appendingPathComponent("model-src")
        let files = [
            BundleFile(path: "data/train/train.jsonl", source: folder.appendingPathComponent("train.jsonl")),
            BundleFile(path: "data/validation/valid.jsonl", source: folder.appendingPathComponent("valid.jsonl")),
            BundleFile(path: "model/config.json", source: model.appendingPathComponent("config.json")),
            BundleFile(path: "model/model.safetensors", source: model.appendingPathComponent("model.safetensors")),
        ]
        return (folder, files)
    }

    static func make() throws -> (folder: URL, bundle: JobBundle) {
        let (folder, files) = try sources()
        let bundle = try JobBundle.create(trainingDocument: trainingDocument, files: files,
                                          at: folder.appendingPathComponent("bundle"), quenchVersion: "9.9.9")
        return (folder, bundle)
    }

    @Test func bundleHoldsItsFilesAndAManifestThatVerifies() throws {
        let (folder, bundle) = try Self.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(bundle.manifest.files.map(\.path) == [
            "data/train/train.jsonl", "data/validation/valid.jsonl", "model/config.json", "model/model.safetensors",
            "training.yaml",
        ])
        #expect(try String(contentsOf: bundle.trainingConfigURL, encoding: .utf8) == Self.trainingDocument)
        let reopened = try JobBundle.open(bundle.directory)
        #expect(reopened.manifest == bundle.manifest)
        try reopened.verify(quenchVersion: "9.9.9")
        #expect(try reopened.resolve("model").path == bundle.directory.appendingPathComponent("model").path)
        #expect(throws: DispatchError.self) { try reopened.resolve("../train.yaml") }
        #expect(throws: DispatchError.missingFile(path: "secrets")) { try reopened.resolve("secrets") }
        // Output and control folders written by the remote side are outside the bundle's manifest.
        try FileManager.default.createDirectory(at: bundle.outputDirectory, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: bundle.outputDirectory.appendingPathComponent("metrics.jsonl"))
        try reopened.verify(quenchVersion: "9.9.9")
    }

    /// A file placed where it could escape the bundle, where the remote side writes, over a file the
    /// bundle writes itself, or where another file goes, is refused before anything is copied.
    @Test func filesPlacedOutsideTheBundleOrOverAnotherAreRefused() throws {
        let (folder, files) = try Self.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = files[0].source
        for (place, why) in [("../escape.jsonl", "cannot go to"), ("/etc/x", "cannot go to"), ("output/x.jsonl", "cannot go to"),
                             ("control/x", "cannot go to"), ("training.yaml", "cannot go to"), ("manifest.json", "cannot go to"),
                             ("data/train/train.jsonl", "would both be data/train/train.jsonl")] {
            let destination = folder.appendingPathComponent("bundle-\(UUID().uuidString.prefix(4))")
            #expect("\(place)") {
                try JobBundle.create(trainingDocument: "model: model\n", files: files + [BundleFile(path: place, source: source)],
                                     at: destination, quenchVersion: "1")
            } throws: { "\($0)".contains(why) }
            #expect(!FileManager.default.fileExists(atPath: destination.path))
        }
    }

    @Test func aModelReferenceIsCheckedOnReading() throws {
        let (folder, _) = try Self.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        let digest = String(repeating: "ab", count: 32)
        let reference = try ModelReference(repo: "org/model", commit: String(repeating: "0123456789", count: 4),
                                           files: ["config.json": digest, "model.safetensors": digest])
        let url = folder.appendingPathComponent("reference.json")
        for (bad, why) in [(#"{"repo": "org/model", "commit": "main", "files": {"a": "\#(digest)"}}"#, "40-hex commit"),
                           (#"{"repo": "../x", "commit": "\#(reference.commit)", "files": {"a": "\#(digest)"}}"#, "org/name"),
                           (#"{"repo": "org/m", "commit": "\#(reference.commit)", "files": {"../a": "\#(digest)"}}"#, "../a"),
                           (#"{"repo": "org/m", "commit": "\#(reference.commit)", "files": {"a": "xyz"}}"#, "sha256 of a"),
                           (#"{"repo": "org/m", "commit": "\#(reference.commit)", "files": {}}"#, "between 1 and")] {
            try Data(bad.utf8).write(to: url)
            #expect { try ModelReference.read(from: url) } throws: { "\($0)".contains(why) }
        }
    }

    @Test func anotherReleaseIsRefused() throws {
        let (folder, bundle) = try Self.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: DispatchError.versionMismatch(host: "this machine", local: "9.9.9", remote: "1.0.0")) {
            try bundle.verify(quenchVersion: "1.0.0")
        }
    }

    @Test func changedSameSizeDataIsADigestMismatch() throws {
        let (folder, bundle) = try Self.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = bundle.directory.appendingPathComponent("data/train/train.jsonl")
        var bytes = try Data(contentsOf: data)
        bytes[2] ^= 1
        try bytes.write(to: data)
        #expect {
            try bundle.verify(quenchVersion: "9.9.9")
        } throws: { error in
            guard case DispatchError.digestMismatch(let path, _, _) = error else { return false }
            return path == "data/train/train.jsonl" && "\(error)".contains("do not trust")
        }
    }

    @Test func extraMissingGrownAndLinkedFilesAreRefused() throws {
        let (folder, bundle) = try Self.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let extra = bundle.directory.appendingPathComponent("model/extra.bin")
        try Data("x".utf8).write(to: extra)
        #expect(throws: DispatchError.unlistedFile(path: "model/extra.bin")) { try bundle.verify(quenchVersion: "9.9.9") }
        try FileManager.default.removeItem(at: extra)

        let weights = bundle.directory.appendingPathComponent("model/model.safetensors")
        let original = try Data(contentsOf: weights)
        try (original + Data([0])).write(to: weights)
        #expect(throws: DispatchError.sizeMismatch(path: "model/model.safetensors", expected: 4096, found: 4097)) {
            try bundle.verify(quenchVersion: "9.9.9")
        }
        try FileManager.default.removeItem(at: weights)
        #expect(throws: DispatchError.missingFile(path: "model/model.safetensors")) { try bundle.verify(quenchVersion: "9.9.9") }

        // A link with the right name is still refused: it could point anywhere.
        let elsewhere = folder.appendingPathComponent("weights-elsewhere")
        try original.write(to: elsewhere)
        try FileManager.default.createSymbolicLink(at: weights, withDestinationURL: elsewhere)
        #expect(throws: DispatchError.notARegularFile(path: "model/model.safetensors")) { try bundle.verify(quenchVersion: "9.9.9") }
    }

    @Test func manifestsWithEscapingPathsOrDuplicatesAreRefused() throws {
        let folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("quench-manifest-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let digest = String(repeating: "a", count: 64)
        func write(_ files: String) throws {
            try Data(#"{"quench_version": "1", "files": [\#(files)]}"#.utf8)
                .write(to: folder.appendingPathComponent("manifest.json"))
        }
        for bad in ["../etc/passwd", "/etc/passwd", "a//b", "a/./b", "", "a\\\\b"] {
            try write(#"{"path": "\#(bad)", "size": 1, "sha256": "\#(digest)"}"#)
            #expect(throws: DispatchError.self, "path '\(bad)'") { try FileManifest.read(from: folder) }
        }
        try write(#"{"path": "a", "size": 1, "sha256": "\#(digest)"}, {"path": "a", "size": 1, "sha256": "\#(digest)"}"#)
        #expect { try FileManifest.read(from: folder) } throws: { "\($0)".contains("listed twice") }
        try write(#"{"path": "a", "size": 1, "sha256": "XYZ"}"#)
        #expect { try FileManifest.read(from: folder) } throws: { "\($0)".contains("sha256") }
        try Data("not json".utf8).write(to: folder.appendingPathComponent("manifest.json"))
        #expect { try FileManifest.read(from: folder) } throws: { "\($0)".contains("is not valid") }
    }

    @Test func resultVerifierChecksTheReturnedSetExactly() throws {
        let folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("quench-results-\(UUID().uuidString.prefix(8))")
        let adapter = folder.appendingPathComponent("adapter")
        try FileManager.default.createDirectory(at: adapter, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("weights".utf8).write(to: adapter.appendingPathComponent("adapter_model.safetensors"))
        try Data("{}".utf8).write(to: folder.appendingPathComponent("summary.json"))
        try FileManifest.describe(folder, quenchVersion: "1").write(into: folder)
        let manifest = try ResultVerifier.verify(outputDirectory: folder)
        #expect(manifest.files.map(\.path) == ["adapter/adapter_model.safetensors", "summary.json"])

        try Data("weighTs".utf8).write(to: adapter.appendingPathComponent("adapter_model.safetensors"))
        #expect { try ResultVerifier.verify(outputDirectory: folder) } throws: { error in
            if case DispatchError.digestMismatch(let path, _, _) = error { return path == "adapter/adapter_model.safetensors" }
            return false
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("manifest.json"))
        #expect { try ResultVerifier.verify(outputDirectory: folder) } throws: { "\($0)".contains("manifest.json") }
    }

    @Test func aMissingFileIsReportedWhenBundling() throws {
        let (folder, files) = try Self.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("train.jsonl"))
        #expect { try JobBundle.create(trainingDocument: Self.trainingDocument, files: files, at: folder.appendingPathComponent("b"), quenchVersion: "1") }
            throws: { "\($0)".contains("train.jsonl") }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("b").path))
    }
}
