import Foundation
import Testing
@testable import QuenchRegistry

/// The ML-BOM carries the model, its hashes, its model card, its base model and its signature.
@Suite struct MLBOMTests {
    @Test func bomDescribesTheVersionInCycloneDX16() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let version = try fixture.version(in: .approved)
        let bom = try fixture.registry(as: "admin-z").bom(version.reference, quenchVersion: "0.1.0")
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(bom)) as? [String: Any])
        #expect(json["bomFormat"] as? String == "CycloneDX" && json["specVersion"] as? String == "1.6")
        #expect((json["serialNumber"] as? String)?.hasPrefix("urn:uuid:") == true)
        let components = try #require(json["components"] as? [[String: Any]])
        let model = try #require(components.first { $0["type"] as? String == "machine-learning-model" })
        #expect(model["name"] as? String == "support-bot" && model["version"] as? String == "1")
        let weights = try #require(version.files.first { $0.path.hasSuffix(".safetensors") })
        let hashes = try #require(model["hashes"] as? [[String: String]])
        #expect(hashes == [["alg": "SHA-256", "content": weights.sha256]])
        let card = try #require(model["modelCard"] as? [String: Any])
        let parameters = try #require(card["modelParameters"] as? [String: Any])
        #expect(parameters["architectureFamily"] as? String == "llama")
        let datasetRefs = try #require(parameters["datasets"] as? [[String: String]])
        #expect(datasetRefs == [["ref": "dataset:" + String(repeating: "2", count: 64)]])
        #expect(components.contains { $0["bom-ref"] as? String == datasetRefs[0]["ref"] && $0["type"] as? String == "data" })
        let metrics = try #require((card["quantitativeAnalysis"] as? [String: Any])?["performanceMetrics"] as? [[String: String]])
        #expect(metrics == [["type": "perplexity", "value": "12.5", "slice": "eval"]])
        let ancestors = try #require((model["pedigree"] as? [String: Any])?["ancestors"] as? [[String: Any]])
        #expect(ancestors.first?["name"] as? String == "HuggingFaceTB/SmolLM2-135M-Instruct" && ancestors.first?["version"] as? String == "abc123")
        let references = try #require(model["externalReferences"] as? [[String: Any]])
        #expect(references.first?["type"] as? String == "digital-signature")
        #expect((references.first?["url"] as? String)?.hasSuffix("/model.sig") == true)
    }
}
