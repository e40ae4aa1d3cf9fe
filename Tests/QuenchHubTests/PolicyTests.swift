import Foundation
import Testing
@testable import QuenchHub

/// Redirect, file-name and retry rules, without a server.
@Suite struct PolicyTests {
    let policy = RedirectPolicy(allowList: HostAllowList(["huggingface.co", "*.hf.co"]))
    let origin = URL(string: "https://huggingface.co")!

    @Test func theTokenGoesOnlyToTheSameSchemeHostAndPort() {
        #expect(policy.mayCarryToken(to: URL(string: "https://huggingface.co:443/api/x")!, origin: origin))
        #expect(!policy.mayCarryToken(to: URL(string: "https://cdn-lfs.hf.co/x")!, origin: origin))
        #expect(!policy.mayCarryToken(to: URL(string: "https://huggingface.co:8443/x")!, origin: origin))
        #expect(!policy.mayCarryToken(to: URL(string: "http://huggingface.co/x")!, origin: origin))
    }

    @Test func redirectsStayOnHttpsAndAllowedHosts() throws {
        let current = URL(string: "https://huggingface.co/org/m/resolve/abc/model.safetensors")!
        #expect(try policy.next(from: current, location: "https://cas-bridge.xethub.hf.co/x?sig=1").host == "cas-bridge.xethub.hf.co")
        #expect(try policy.next(from: current, location: "/api/resolve-cache/x").absoluteString == "https://huggingface.co/api/resolve-cache/x")
        #expect(throws: HubError.self) { try policy.next(from: current, location: "http://cdn.hf.co/x") }
        #expect(throws: HubError.hostNotAllowed(url: "https://evil.example/x", host: "evil.example")) {
            try policy.next(from: current, location: "https://evil.example/x")
        }
        #expect(throws: HubError.self) { try policy.next(from: current, location: nil) }
        #expect(!HostAllowList(["*.hf.co"]).allows("hf.co") && !HostAllowList(["*.hf.co"]).allows("evilhf.co"))
    }

    @Test func unsafeNamesAreNamedWithTheirReason() {
        #expect(FilePolicy.unsafeReason("sub/model.safetensors") == nil)
        #expect(FilePolicy.unsafeReason("/etc/passwd") == "absolute path")
        #expect(FilePolicy.unsafeReason("a/../../b") == "'..' segment")
        #expect(FilePolicy.unsafeReason("a\\b") == "backslash")
        #expect(FilePolicy.unsafeReason("a\u{1b}[2Jb") == "control character")
        #expect(FilePolicy.unsafeReason("a//b") == "empty or '.' segment")
    }

    @Test func picklesAndCodeAreRefusedWhateverThePatterns() {
        let defaults = FilePolicy()
        #expect(defaults.decide("model.safetensors") == .fetch && defaults.decide("sub/tokenizer.model") == .fetch)
        #expect(defaults.decide("pytorch_model.bin") == .refuse && defaults.decide("modeling.py") == .refuse)
        #expect(defaults.decide("model.onnx") == .skip)
        let custom = FilePolicy(allowPatterns: ["*"], ignorePatterns: ["onnx/"])
        #expect(custom.decide("model.onnx") == .fetch && custom.decide("onnx/model.onnx") == .skip)
        #expect(custom.decide("weights.ckpt") == .refuse)
        #expect(FilePolicy(allowPatterns: ["*.json"]).decide("model.safetensors") == .skip)
    }

    @Test func retryAfterReadsSecondsAndDates() {
        #expect(RetryPolicy.retryAfter("7") == 7)
        #expect(RetryPolicy.retryAfter(nil) == nil && RetryPolicy.retryAfter("soon") == nil)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetryPolicy.retryAfter("Tue, 14 Nov 2023 22:13:40 GMT", now: now) == 20)
    }

    @Test func repositoryIdsAndRevisionsAreChecked() throws {
        let parsed = try RepositoryID(parsing: "HuggingFaceTB/SmolLM2-135M@v1.0")
        #expect(parsed.id == "HuggingFaceTB/SmolLM2-135M" && parsed.revision == "v1.0" && parsed.cacheFolderName == "models--HuggingFaceTB--SmolLM2-135M")
        #expect(try RepositoryID(parsing: "a/b").revision == "main")
        #expect(throws: HubError.self) { try RepositoryID(parsing: "a/b/c") }
        #expect(throws: HubError.self) { try RepositoryID(parsing: "../b") }
        #expect(throws: HubError.self) { try RepositoryID(parsing: "a/b@../../x") }
    }

    @Test func snapshotLinksAreRelativeAtAnyDepth() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quench-layout-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = CacheLayout(root: root, repo: try RepositoryID(parsing: "o/n"))
        try layout.link(path: "sub/dir/f.json", commit: "c", hash: "h")
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: layout.snapshot("c").appendingPathComponent("sub/dir/f.json").path)
        #expect(target == "../../../../blobs/h")
    }
}
