import Foundation
import QuenchModel
import QuenchTensor
import Testing
import QuenchTestSupport

/// bf16 training on the tiny fixtures against PyTorch (Resources/*/bf16-reference.safetensors, from
/// scripts/make-bf16-reference.py): tightly against Quench's scheme emulated in PyTorch, loosely
/// against autocast itself (BF16Tolerance says why and what was measured).
@Suite struct BF16AutocastReferenceTests {
    /// Every quantity of the reference, computed by Quench in `precision`.
    static func run(_ fixture: String, _ precision: Precision, _ reference: BF16Reference) throws -> [String: [Float]] {
        let recorded = try reference.values(.bf16Inputs)
        let fullProbe = try #require(recorded.keys.first { $0.hasPrefix("full.final.") }).dropFirst("full.final.".count)
        var run = try FixtureRun.forwardBackward(fixture, precision, batch: reference.batch)
        run.merge(try FixtureRun.fullFineTuning(fixture, precision, batch: reference.batch, probe: String(fullProbe))) { $1 }
        if let loraKey = recorded.keys.first(where: { $0.hasPrefix("lora.final.") }) {
            let module = String(loraKey.dropFirst("lora.final.".count).dropLast(".A".count))
            run.merge(try FixtureRun.lora(fixture, precision, batch: reference.batch, probe: module)) { $1 }
        }
        #expect(Set(run.keys) == Set(recorded.keys), "Quench's run and the reference record the same quantities")
        return run
    }

    @Test(.requiresBF16, arguments: ["tiny-llama", "tiny-gpt2"])
    func bf16MatchesPyTorch(_ fixture: String) throws {
        let reference = try BF16Reference(fixture)
        let run = try Self.run(fixture, .bf16, reference)
        let tight = BF16Tolerance.quenchScheme.mismatches(run, try reference.values(.bf16Inputs))
        #expect(tight.isEmpty, "against bf16 inputs with fp32 products:\n\(tight.joined(separator: "\n"))")
        for variant in [BF16Reference.Variant.autocast, .autocastFP32Attention] {
            let loose = BF16Tolerance.autocast.mismatches(run, try reference.values(variant))
            #expect(loose.isEmpty, "against \(variant.rawValue):\n\(loose.joined(separator: "\n"))")
        }
    }

    /// The tight tolerance tells bf16 from fp32: Quench in fp32 fails it on the logits and on the
    /// gradients taken together (and on tiny-gpt2's loss).
    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func fp32FailsTheBF16Tolerance(_ fixture: String) throws {
        let reference = try BF16Reference(fixture)
        let run = try Self.run(fixture, .fp32, reference)
        let failed = Set(BF16Tolerance.quenchScheme.mismatches(run, try reference.values(.bf16Inputs))
            .map { String($0.prefix { $0 != ":" }) })
        for key in ["logits", "grad (all)"] + (fixture == "tiny-gpt2" ? ["loss"] : []) {
            #expect(failed.contains(key), "fp32's \(key) passes the bf16 tolerance")
        }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only on a CPU with bf16 arithmetic; otherwise the report shows it skipped.
    static var requiresBF16: Self {
        .enabled(if: CPUFeatures.current.hasBF16Arithmetic,
                 "this CPU has neither AVX512_BF16 nor AMX-BF16 (\(CPUFeatures.current.source))")
    }
}
