import QuenchFiles
import Testing

/// The name rule job specs and the registry share.
@Suite struct ModelNameTests {
    @Test func acceptsASCIILettersDigitsAndDotUnderscoreDashStartingWithALetterOrDigit() {
        for name in ["tiny", "Model.v2_a-b", "7b", String(repeating: "a", count: 100)] {
            #expect(ModelName.isValid(name), "\(name)")
        }
        for name in ["", "-x", ".x", "_x", "café", "ｆｕｌｌ", "a b", "a/b", "a\u{0}", String(repeating: "a", count: 101)] {
            #expect(!ModelName.isValid(name), "\(name)")
        }
    }
}
