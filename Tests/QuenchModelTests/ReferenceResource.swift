import Foundation
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// A reference made by a script in scripts/ with the real Python tools (`Resources/<folder>/reference.safetensors`
/// beside the files it was computed from), its numbers, and the token batch they were computed on: the
/// shared fixture `fixture`'s batch, or, with no fixture, the `input_ids`/`labels` stored in the reference.
struct ReferenceResource {
    let directory: URL
    let file: SafetensorsFile
    let batch: TokenBatch

    init(_ folder: String = "peft-rslora", fixture name: String? = "tiny-llama") throws {
        let url = try #require(Bundle.module.url(forResource: "reference", withExtension: "safetensors",
                                                 subdirectory: "Resources/\(folder)"))
        directory = url.deletingLastPathComponent()
        file = try SafetensorsFile(contentsOf: url)
        let source = try name.map { try SafetensorsFile(contentsOf: SharedFixtures.url("\($0)/reference.safetensors")) } ?? file
        let shape = try #require(source.info("input_ids")).shape
        batch = TokenBatch(batch: shape[0], time: shape[1], inputs: try source.int32s("input_ids"),
                           targets: try source.int32s("labels"))
    }

    /// The first value of the stored tensor `name` (a loss).
    func loss(_ name: String) throws -> Double { Double(try file.floats(name)[0]) }
}
