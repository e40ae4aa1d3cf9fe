import Foundation
import QuenchFiles
import QuenchRegistry
import QuenchTestSupport
import Testing
@testable import QuenchRegistryServer

/// The one body of POST /v1/models/{name}/versions: what the client encodes is what the server decodes,
/// with the documented keys, and the server still refuses a key the body does not have.
@Suite struct ServerRegistrationBodyTests {
    static let lineage = Lineage(
        baseModel: BaseModelLineage(source: "HuggingFaceTB/SmolLM2-135M-Instruct", commit: "abc123",
                                    files: [HashedFile(path: "model.safetensors", sha256: String(repeating: "1", count: 64))]),
        datasets: [DatasetLineage(path: "data/train.jsonl", sha256: String(repeating: "2", count: 64), records: 100)],
        jobSpecSHA256: nil, hyperparameters: .object(["rank": .int(8)]), quenchVersion: "0.1.0", trainedBy: "trainer-t")

    @Test func theClientsEncodingIsWhatTheServerDecodes() throws {
        let body = RegistrationBody(upload: "7f0c", gateReport: #"{"passed": true}"#, lineage: Self.lineage,
                                    files: ["adapter_model.safetensors"])
        let data = try JSONCoding.lineEncoder.encode(body)
        let keys = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys.sorted()
        #expect(keys == ["files", "gate_report", "lineage", "upload"])
        #expect(try StrictJSON.decode(RegistrationBody.self, from: data) == body)
    }

    @Test func absentOrNullFilesMeanEveryUploadedFile() throws {
        let body = RegistrationBody(upload: "7f0c", gateReport: "{}", lineage: Self.lineage, files: nil)
        let data = try JSONCoding.lineEncoder.encode(body)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["files"] == nil)
        #expect(try StrictJSON.decode(RegistrationBody.self, from: data).files == nil)
        object["files"] = NSNull()
        let withNull = try JSONSerialization.data(withJSONObject: object)
        #expect(try StrictJSON.decode(RegistrationBody.self, from: withNull) == body)
    }

    @Test func anUnknownKeyIsRefusedByName() throws {
        let body = RegistrationBody(upload: "7f0c", gateReport: "{}", lineage: Self.lineage, files: nil)
        var object = try #require(try JSONSerialization.jsonObject(with: try JSONCoding.lineEncoder.encode(body)) as? [String: Any])
        object["registered_by"] = "someone-else"
        let topLevel = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: APIError.badRequest("unknown key 'registered_by' in the request body")) {
            try StrictJSON.decode(RegistrationBody.self, from: topLevel)
        }
        object["registered_by"] = nil
        var lineage = try #require(object["lineage"] as? [String: Any])
        lineage["approved_by"] = "someone-else"
        object["lineage"] = lineage
        let nested = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: APIError.badRequest("unknown key 'lineage.approved_by' in the request body")) {
            try StrictJSON.decode(RegistrationBody.self, from: nested)
        }
    }
}
