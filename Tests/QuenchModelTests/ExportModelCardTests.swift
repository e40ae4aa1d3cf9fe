import Foundation
import QuenchModel
import QuenchTestSupport
import Testing

/// README.md model cards in Hugging Face's format: the front matter the hub reads, the base
/// model's hub id taken from the hub cache layout, and a run's lineage, gate results, signature and
/// registry entry claimed only for the files the run recorded.
@Suite struct ExportModelCardTests {
    let folder: URL
    init() throws { folder = try TemporaryDirectory.create("model-card") }

    @Test func hubIDComesFromTheHubCacheLayoutOnly() {
        func id(_ path: String) -> String? { HubModelID.of(URL(fileURLWithPath: path)) }
        #expect(id("/c/hub/models--HuggingFaceTB--SmolLM2-135M/snapshots/abc123/model.gguf") == "HuggingFaceTB/SmolLM2-135M")
        #expect(id("/c/hub/models--HuggingFaceTB--SmolLM2-135M/snapshots/abc123") == "HuggingFaceTB/SmolLM2-135M")
        #expect(id("/c/models--gpt2/snapshots/abc123/") == "gpt2")
        #expect(id("/c/models--a--b--c/snapshots/abc123") == nil)
        #expect(id("/c/models--a--b/snapshots") == nil)
        #expect(id("/c/models--/snapshots/abc") == nil)
        #expect(id("/c/other/snapshots/abc/model.gguf") == nil)
        #expect(id("/home/me/models/SmolLM2.gguf") == nil)
    }

    @Test func frontMatterIsQuotedYAML() throws {
        let card = ModelCard(title: "T", libraryName: "peft", baseModel: "org/name", license: "say \"hi\"\\",
                             tags: ["quench", "lora"], summary: "S.", sections: [.init("Part", ["- a", "- b"])])
        #expect(try card.text() == """
            ---
            base_model: "org/name"
            library_name: "peft"
            license: "say \\"hi\\"\\\\"
            pipeline_tag: "text-generation"
            tags:
            - "quench"
            - "lora"
            ---
            # T

            S.

            ## Part

            - a
            - b

            """)
        let plain = ModelCard(title: "T", libraryName: "transformers", baseModel: nil, license: nil, tags: [],
                              summary: "S.", sections: [])
        #expect(try plain.text().hasPrefix("---\nlibrary_name: \"transformers\"\npipeline_tag: \"text-generation\"\n---\n# T\n"))
    }

    @Test func convertedHubModelNamesItsRepositoryAsBaseModel() throws {
        let snapshot = folder.appendingPathComponent("hub/models--org--tiny/snapshots/abc123")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        let source = try ModelBundle.open(try TinyLlamaFixture.copy(into: snapshot))
        let out = folder.appendingPathComponent("tiny-hf")
        try ModelExport.huggingFace(.bf16).write(source, to: out) { dtype in
            ModelCard.converted(source, title: out.lastPathComponent, dtype: dtype)
        }
        let text = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(text.hasPrefix("---\nbase_model: \"org/tiny\"\nlibrary_name: \"transformers\"\n"))
        #expect(text.contains("# tiny-hf\n"))
        #expect(text.contains("- Hugging Face repository: [org/tiny](https://huggingface.co/org/tiny)"))
        #expect(text.contains("- Weights: model.safetensors, bfloat16"))
        // A local model has no base_model key (the hub reads it as a repository) but its path in the body.
        let local = try ModelBundle.open(try TinyLlamaFixture.copy(into: folder))
        let card = try ModelCard.converted(local, title: "x", dtype: nil).text()
        #expect(!card.contains("base_model:"))
        #expect(card.contains("- Read from: `\(local.location.lastPathComponent)`"))
        #expect(!card.contains(folder.path) && !text.contains(folder.path), "a card names files, never their paths")
        #expect(card.contains("- Weights: model.safetensors, float32"))
    }

    /// A run folder as `quench run` leaves it, recorded at `recordedAt` and now at `run`: its
    /// train/adapter files hold their own "digest" as text (the tests' digest reads the file).
    func runFolder(recordedAt recorded: String) throws -> (run: URL, adapter: URL) {
        let run = folder.appendingPathComponent("runs/job-1"), adapter = run.appendingPathComponent("train/adapter")
        try FileManager.default.createDirectory(at: adapter, withIntermediateDirectories: true)
        for name in ["adapter_config.json", "adapter_model.safetensors"] {
            try Data("digest-of-\(name)".utf8).write(to: adapter.appendingPathComponent(name))
        }
        try Data("digest-of-base".utf8).write(to: baseFile)
        let report: [String: Any] = [
            "schema": "quench.report/v1", "job": "job", "status": "succeeded", "run_directory": recorded,
            "spec_sha256": "feed", "quench_version": "test",
            "model": ["source": "hub", "repo": "org/base", "commit": "c0ffee", "location": "/hub/base",
                      "files": [["path": "/hub/base/model.safetensors", "sha256": "digest-of-base", "size": 1]]],
            "training": [
                "method": "lora", "artifacts": "\(recorded)/train/adapter",
                "files": ["adapter_config.json", "adapter_model.safetensors"].map { name in
                    ["path": "\(recorded)/train/adapter/\(name)", "sha256": "digest-of-\(name)", "size": 1] as [String: Any]
                },
                "summary": ["steps": 10, "finalLoss": 3.5, "validationLoss": 3.75],
            ],
            "gate": ["passed": true, "reason": "passed: all 1 checks held on 1 set",
                     "checks": [["name": "min_tokens", "set": "held-out", "metric": "tokens scored", "value": 60,
                                 "threshold": 10, "passed": true]]],
            "signature": ["signature": "\(recorded)/train/adapter/model.sig", "sha256": "5167", "rootDigest": "r007",
                          "keyFingerprint": "f1n6"],
            "registry": ["name": "tiny", "version": 2, "status": "pending_approval", "registry": "/home/q"],
        ]
        try JSONSerialization.data(withJSONObject: report).write(to: run.appendingPathComponent("report.json"))
        return (run, adapter)
    }

    /// The base model's one file, as the run recorded it.
    var baseFile: URL { folder.appendingPathComponent("base.safetensors") }

    let digest: (URL) throws -> String = { String(decoding: try Data(contentsOf: $0), as: UTF8.self) }

    /// What `quench merge` finds for the adapter folder `adapter` merged into `base` (default: the run's base).
    func found(_ adapter: URL, base: [URL]? = nil, extra: [String] = []) -> RunProvenance? {
        let read = (["adapter_config.json", "adapter_model.safetensors"] + extra).map(adapter.appendingPathComponent)
        return RunProvenance.find(artifacts: adapter, read: read, baseFiles: base ?? [baseFile], digest: digest)
    }

    @Test func runRecordsBecomeLineageGateSignatureAndRegistrySections() throws {
        let (run, adapter) = try runFolder(recordedAt: "/elsewhere/runs/job-1")
        let provenance = try #require(found(adapter))
        #expect(provenance.mismatch == nil)
        #expect(provenance.runDirectory.path == run.resolvingSymlinksInPath().path)
        #expect(provenance.sections.map(\.heading) == ["Lineage", "Gate", "Signature", "Registry"])
        let lines = provenance.sections.flatMap(\.lines)
        #expect(lines.contains("- Base model: org/base at commit `c0ffee`"))
        #expect(lines.contains("- Training: lora, 10 steps, final loss 3.5, validation loss 3.75"))
        #expect(lines.contains("| min_tokens | held-out | tokens scored | 60 | 10 | yes |"))
        #expect(lines.contains("- Signature: `train/adapter/model.sig` in the run folder"))
        #expect(lines.contains("- Registered as `tiny@2` (pending_approval) in a local registry"))
        #expect(lines.contains("- Run: `job-1` (job `job`, succeeded)"))

        let base = try ModelBundle.open(try TinyLlamaFixture.copy(into: folder))
        let adapters = try LoRAAdapters(model: base.model, rank: 4, alpha: 8, modules: ["q", "v"], seed: 1)
        let card = try ModelCard.merged(base, adapters: adapters, from: adapter, title: "merged", dtype: nil,
                                        run: provenance).text()
        #expect(card.contains("- Adapter merged in: `adapter` (rank 4, alpha 8.0, dropout 0.0)\n"))
        #expect(card.contains("- Each adapted projection: W′ = W + s·B·A (s = alpha/r)\n"))
        for path in [folder.path, run.resolvingSymlinksInPath().path, "/elsewhere", "/hub/base", "/home/q"] {
            #expect(!card.contains(path), "a card names files, never their paths: \(path)")
        }
        #expect(card.contains("tags:\n- \"quench\"\n- \"lora\"\n- \"merged\"\n"))
        #expect(card.contains("## Gate\n\n- Passed: yes\n- Reason: passed: all 1 checks held on 1 set\n"))
        #expect(card.contains("derived from them and not covered by this signature"))
    }

    @Test func changedAdapterFilesClaimNoLineage() throws {
        let (_, adapter) = try runFolder(recordedAt: "/elsewhere/runs/job-1")
        try Data("other weights".utf8).write(to: adapter.appendingPathComponent("adapter_model.safetensors"))
        let provenance = try #require(found(adapter))
        let mismatch = try #require(provenance.mismatch)
        #expect(mismatch.contains("adapter_model.safetensors is not the file run"))
        #expect(provenance.sections.map(\.heading) == ["Lineage"])
        #expect(provenance.sections.flatMap(\.lines) == ["No run lineage is claimed: adapter_model.safetensors is not the "
            + "file run job-1 recorded (sha256 digest-of-adapter_model.safetensors)."])
        #expect(provenance.sections.flatMap(\.lines).allSatisfy { !$0.contains("c0ffee") })
    }

    @Test func aFileTheRunDidNotRecordClaimsNoLineage() throws {
        let (_, adapter) = try runFolder(recordedAt: "/elsewhere/runs/job-1")
        try Data("{}".utf8).write(to: adapter.appendingPathComponent("extra.json"))
        let provenance = try #require(found(adapter, extra: ["extra.json"]))
        #expect(try #require(provenance.mismatch).contains("recorded no \(adapter.resolvingSymlinksInPath().path)/extra.json"))
        #expect(provenance.sections.map(\.heading) == ["Lineage"])
    }

    @Test func anotherBaseModelClaimsNoLineage() throws {
        let (_, adapter) = try runFolder(recordedAt: "/elsewhere/runs/job-1")
        let other = folder.appendingPathComponent("other.safetensors")
        try Data("another base".utf8).write(to: other)
        let provenance = try #require(found(adapter, base: [baseFile, other]))
        #expect(try #require(provenance.mismatch).contains("the base model's \(other.path) is none of the files run"))
        #expect(provenance.sections.map(\.heading) == ["Lineage"])
    }

    @Test func adaptersOutsideARunHaveNoProvenance() throws {
        let (run, adapter) = try runFolder(recordedAt: "/elsewhere/runs/job-1")
        #expect(found(run.appendingPathComponent("train")) == nil)
        let report = run.appendingPathComponent("report.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        json["schema"] = "something/v9"
        try JSONSerialization.data(withJSONObject: json).write(to: report)
        #expect(found(adapter) == nil)
    }

    @Test func aRecordNotNamingTheseArtifactsIsNotTheirRun() throws {
        let (run, adapter) = try runFolder(recordedAt: "/elsewhere/runs/job-1")
        let report = run.appendingPathComponent("report.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        var training = try #require(json["training"] as? [String: Any])
        for artifacts in [nil, 7, "/elsewhere/runs/job-1/train/model"] as [Any?] {
            training["artifacts"] = artifacts
            json["training"] = training
            try JSONSerialization.data(withJSONObject: json).write(to: report)
            #expect(found(adapter) == nil, "training.artifacts \(String(describing: artifacts))")
        }
        json["training"] = nil
        try JSONSerialization.data(withJSONObject: json).write(to: report)
        #expect(found(adapter) == nil)
        try Data("not json".utf8).write(to: report)
        #expect(found(adapter) == nil)
    }

    @Test func aReportTooLargeToReadClaimsNoLineageAndSaysWhy() throws {
        let (run, adapter) = try runFolder(recordedAt: "/elsewhere/runs/job-1")
        let report = try FileHandle(forWritingTo: run.appendingPathComponent("report.json"))
        try report.truncate(atOffset: UInt64(16 << 20) + 1)
        try report.close()
        let provenance = try #require(found(adapter))
        #expect(try #require(provenance.mismatch).contains("report.json in \(run.resolvingSymlinksInPath().path) cannot be read"))
        #expect(provenance.sections.flatMap(\.lines).first?.hasPrefix("No run lineage is claimed: report.json in job-1 cannot be read: it holds 16777217 bytes") == true)
    }

    @Test func aRunRecordWithoutItsFilesClaimsNoLineageNamingTheKey() throws {
        let (run, adapter) = try runFolder(recordedAt: "/elsewhere/runs/job-1")
        let report = run.appendingPathComponent("report.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        var training = try #require(json["training"] as? [String: Any])
        training["files"] = nil
        json["training"] = training
        try JSONSerialization.data(withJSONObject: json).write(to: report)
        let provenance = try #require(found(adapter))
        #expect(try #require(provenance.mismatch).contains("report.json has no usable training.files (expected an array of objects)"))
        #expect(provenance.sections.map(\.heading) == ["Lineage"])
        // Nor does a base model the run recorded no files of.
        training["files"] = ["adapter_config.json", "adapter_model.safetensors"].map { name in
            ["path": "/elsewhere/runs/job-1/train/adapter/\(name)", "sha256": "digest-of-\(name)"]
        }
        json["training"] = training
        json["model"] = ["repo": "org/base"]
        try JSONSerialization.data(withJSONObject: json).write(to: report)
        #expect(try #require(found(adapter)?.mismatch).contains("has no usable model.files"))
        #expect(try #require(found(adapter, base: [])).mismatch == nil, "quench import reads no base model")
    }

    @Test func mergedDoRAAndPatternAdaptersAreDescribedAsSuch() throws {
        let base = try ModelBundle.open(try TinyLlamaFixture.copy(into: folder))
        let adapters = try LoRAAdapters(model: base.model, rank: 4, alpha: 8, useRSLoRA: true, useDoRA: true, modules: ["q", "v"],
                                        patterns: LoRAPatterns(rank: ["v_proj": 2], alpha: ["q_proj": 0.1]), seed: 1)
        let card = try ModelCard.merged(base, adapters: adapters, from: folder.appendingPathComponent("dora"), title: "m",
                                        dtype: nil, run: nil).text()
        #expect(card.contains("- Adapter merged in: `dora` (rank 4, alpha 8.0, dropout 0.0, rsLoRA (use_rslora), DoRA (use_dora), "
            + "rank_pattern {v_proj: 2}, alpha_pattern {q_proj: 0.1})\n"))
        #expect(card.contains("- Each adapted projection: W′ = m ⊙ (W + s·B·A) / ‖W + s·B·A‖, the norm taken per output row"))
        #expect(card.contains("(s = alpha/√r, r and alpha per projection as the patterns give them)"))
        #expect(!card.contains("W′ = W + s·B·A"))
    }

    /// A GGUF file, even one from a hub cache, is no base PEFT loads: the adapter names the folder
    /// `quench import` converts it to, and its card says how; a hub safetensors checkpoint is named
    /// by its hub id, a local one by its path in adapter_config.json and by its name in the card.
    @Test func adapterBasesArePEFTLoadable() throws {
        let snapshot = folder.appendingPathComponent("hub/models--org--tiny-GGUF/snapshots/abc123")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        let local = try ModelBundle.open(try TinyLlamaFixture.copy(into: folder))
        let ggufURL = snapshot.appendingPathComponent("tiny.f32.gguf")
        try ModelExport.gguf(.f32).write(try ModelBundle.open(SharedFixtures.url("tiny-llama")), to: ggufURL)
        let gguf = try ModelBundle.open(ggufURL)
        #expect(PEFTBase(gguf) == .converted(gguf: gguf.location, folder: "tiny.f32-hf"))
        #expect(PEFTBase(gguf).configValue == "tiny.f32-hf" && PEFTBase(gguf).hubID == nil)
        let card = try ModelCard.trained(gguf, adapter: true, settings: []).text()
        #expect(!card.contains("base_model:"), "a GGUF repository is no base PEFT loads")
        #expect(card.contains("- Hugging Face repository: [org/tiny-GGUF](https://huggingface.co/org/tiny-GGUF)"))
        #expect(card.contains("- For PEFT, convert the base first: `quench import tiny.f32.gguf --out tiny.f32-hf`"))
        #expect(card.contains("AutoModelForCausalLM.from_pretrained(\"tiny.f32-hf\")"))
        #expect(!card.contains(folder.path))
        // A fully fine-tuned model still names the repository it came from.
        #expect(try ModelCard.trained(gguf, adapter: false, settings: []).text().contains("base_model: \"org/tiny-GGUF\""))

        #expect(PEFTBase(local).configValue == local.location.standardizedFileURL.path && PEFTBase(local).hubID == nil)
        let localCard = try ModelCard.trained(local, adapter: true, settings: []).text()
        #expect(localCard.contains("from_pretrained(\"path/to/\(local.location.lastPathComponent)\")"))
        #expect(!localCard.contains(folder.path) && !localCard.contains("base_model:"))
    }
}
