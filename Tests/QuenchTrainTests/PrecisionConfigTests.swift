import Foundation
import QuenchConfig
import QuenchFiles
import QuenchSecurity
import QuenchTensor
import Testing
@testable import QuenchTrain

/// `precision: fp32 | bf16` in a training configuration: read, written back, hashed only when it is
/// not the default, and refused before anything is loaded on a CPU without bf16 arithmetic.
@Suite("Training configuration: precision")
struct PrecisionConfigTests {
    let base = "data:\n  train: t.jsonl\nseed: 7\n"

    func load(_ yaml: String) throws -> TrainingConfig {
        try TrainingConfig.load(yaml: yaml, file: "p.yaml")
    }

    @Test func defaultsToFP32AndReadsBF16() throws {
        #expect(try load(base).precision == .fp32)
        #expect(try load(base + "precision: fp32\n").precision == .fp32)
        #expect(try load(base + "precision: bf16\n").precision == .bf16)
        #expect(try load(base + "precision: fp32\n") == load(base))
    }

    @Test func yamlAndJSONRoundTripsKeepIt() throws {
        for precision in Precision.allCases {
            var config = try load(base)
            config.precision = precision
            let yaml = try config.yamlDocument()
            #expect(yaml.contains("precision: \(precision)"))
            #expect(try load(yaml) == config)
            let json = try JSONEncoder().encode(config)
            #expect(try JSONDecoder().decode(TrainingConfig.self, from: json) == config)
        }
    }

    @Test func unknownValuesAreRefusedNamingTheKeyAndTheChoices() throws {
        for value in ["fp16", "BF16", "1"] {
            do {
                _ = try load(base + "precision: \(value)\n")
                Issue.record("precision: \(value) was accepted")
            } catch TrainingConfigError.file(.invalid(_, let problems)) {
                #expect(problems.map(\.key) == ["precision"])
                let text = problems.first?.description ?? ""
                #expect(text.contains("one of 'fp32', 'bf16'") && text.contains(value), "\(text)")
            }
        }
    }

    @Test func theHashOfAnFP32ConfigurationIsTheHashItHadBeforeTheKeyExisted() throws {
        // Output and reporting intervals already at the values the hash gives them, so the hash is of exactly
        // this canonical JSON, which in fp32 leaves the key out, as before precision existed.
        var config = try load(base)
        (config.output, config.logEvery, config.checkpointEvery, config.evaluateEvery) = ("", 0, 0, 0)
        let json = String(decoding: try JSONCoding.canonicalEncoder.encode(config), as: UTF8.self)
        #expect(!json.contains("precision"))
        #expect(config.canonicalHash() == FileDigest.sha256(of: Data("quench-training-config-v1\n".utf8) + Data(json.utf8)))
        #expect(try load(base + "precision: fp32\n").canonicalHash() == config.canonicalHash())
        var bf16 = config
        bf16.precision = .bf16
        #expect(bf16.canonicalHash() != config.canonicalHash())
        #expect(try load(base + "precision: bf16\n").canonicalHash() == bf16.canonicalHash())
        var back = bf16
        back.precision = .fp32
        #expect(back.canonicalHash() == config.canonicalHash())
    }

    @Test func bf16IsRefusedOnACPUWithoutBF16NamingTheSetting() throws {
        let withoutBF16 = CPUFeatures(avx512BF16: false, amxBF16: false, source: "test")
        let bf16 = try load(base + "precision: bf16\n")
        do {
            try bf16.requirePrecisionSupport(setting: "training.precision in job.yaml", on: withoutBF16)
            Issue.record("bf16 was accepted on a CPU without bf16 arithmetic")
        } catch let error as TrainingConfigError {
            guard case .precisionUnavailable(let setting, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(setting == "training.precision in job.yaml")
            #expect(throws: reason) { try Precision.bf16.requireSupport(on: withoutBF16) }
            #expect(error.description.hasPrefix("training.precision in job.yaml: precision bf16 is not available"))
        }
        try load(base).requirePrecisionSupport(on: withoutBF16)
        try bf16.requirePrecisionSupport(on: CPUFeatures(avx512BF16: true, amxBF16: false, source: "test"))
        try bf16.requirePrecisionSupport(on: CPUFeatures(avx512BF16: false, amxBF16: true, source: "test"))
    }
}

@Suite struct TrainingSummaryDecodingTests {
    @Test func aSummaryWrittenBeforePrecisionsDecodesAsFP32() throws {
        let old = #"{"steps": 3, "finalLoss": 1.5, "tokensPerSecond": 10, "output": "a", "metrics": "m"}"#
        let summary = try JSONDecoder().decode(TrainingSummary.self, from: Data(old.utf8))
        #expect(summary.precision == .fp32 && summary.steps == 3 && summary.resumedFromStep == nil)
        let bf16 = #"{"steps": 3, "finalLoss": 1.5, "tokensPerSecond": 10, "output": "a", "metrics": "m", "precision": "bf16"}"#
        #expect(try JSONDecoder().decode(TrainingSummary.self, from: Data(bf16.utf8)).precision == .bf16)
    }
}
