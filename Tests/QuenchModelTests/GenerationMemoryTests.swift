import Foundation
import QuenchModel
import Testing
import QuenchTestSupport

/// Generation plans its cache and the prompt's workspace as one sum against the memory available.
@Suite struct GenerationMemoryTests {
    @Test(.requiresDemoModel) func aCacheAndWorkspaceThatDoNotFitTogetherAreRefusedNamingBoth() throws {
        let bundle = try ModelBundle.open(DemoModelFile.url)
        let request = TextGenerator.Request(prompt: "Once upon a time", chat: false, maxTokens: 64,
                                            sampling: TokenSampler.Settings(temperature: 0, topK: 0, topP: 1, seed: 0))
        let error = try #require(throws: ModelError.self) {
            try TextGenerator(bundle: bundle, availableMemory: 1 << 20).generate(request)
        }
        guard case .exceedsMemory(let what, let bytes?, let available, let lower) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(what.contains("cache of") && what.contains("prompt workspace") && bytes > available && available == 1 << 20)
        #expect(lower.contains("--max-tokens"))
        let result = try TextGenerator(bundle: bundle, availableMemory: bytes).generate(request)
        #expect(result.generatedTokens > 0)
    }
}
