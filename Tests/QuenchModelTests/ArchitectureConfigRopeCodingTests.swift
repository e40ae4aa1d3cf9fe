import Foundation
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// A RoPE scaling is encoded (in `quench inspect --json`'s config) with transformers' rope_parameters
/// names, and read back to the same scaling.
@Suite struct ArchitectureConfigRopeCodingTests {
    /// What an encoded scaling holds, under transformers' names.
    struct Fields: Decodable, Equatable {
        var rope_type: String
        var factor, low_freq_factor, high_freq_factor: Double?
        var original_max_position_embeddings: Int?
        var divisors: [Float]?
    }

    /// The keys and fields `scaling` is encoded with.
    func encoded(_ scaling: RopeScaling) throws -> (keys: Set<String>, fields: Fields) {
        let data = try JSONEncoder().encode(scaling)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (Set(object.keys), try JSONDecoder().decode(Fields.self, from: data))
    }

    @Test func eachScalingIsEncodedWithTransformersNames() throws {
        let linear = try encoded(.linear(factor: 2.5))
        #expect(linear.keys == ["rope_type", "factor"])
        #expect(linear.fields == Fields(rope_type: "linear", factor: 2.5))
        let llama3 = try encoded(.llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 8192))
        #expect(llama3.keys == ["rope_type", "factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"])
        #expect(llama3.fields == Fields(rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4,
                                        original_max_position_embeddings: 8192))
        let divisors = try encoded(.frequencyDivisors([1, 2, 4.5]))
        #expect(divisors.keys == ["rope_type", "divisors"])
        #expect(divisors.fields == Fields(rope_type: "rope_freqs", divisors: [1, 2, 4.5]))
    }

    @Test func aModelConfigsScalingRoundTrips() throws {
        var config = try ModelConfig(huggingFaceConfig: SharedFixtures.url("tiny-llama/config.json"))
        for scaling in [RopeScaling.linear(factor: 4), .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 64),
                        .frequencyDivisors([1, 1.5, 3]), nil] {
            config.ropeScaling = scaling
            let data = try JSONEncoder().encode(config)
            #expect(try JSONDecoder().decode(ModelConfig.self, from: data) == config)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect((object["ropeScaling"] as? [String: Any])?["rope_type"] as? String == scaling?.typeName)
        }
    }

    @Test func anUnknownTypeIsRefusedByKey() throws {
        let error = try #require(throws: DecodingError.self) {
            try JSONDecoder().decode(RopeScaling.self, from: Data(#"{"rope_type": "yarn", "factor": 4}"#.utf8))
        }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected a refusal of rope_type, got \(error)")
            return
        }
        #expect(context.codingPath.map(\.stringValue) == ["rope_type"] && context.debugDescription.contains("'yarn'"))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RopeScaling.self, from: Data(#"{"rope_type": "linear"}"#.utf8))
        }
    }
}
