import Foundation
import Testing
@testable import QuenchModel
import QuenchTestSupport

@Suite("Safetensors sharded checkpoints")
struct SafetensorsCheckpointTests {
    let scratch: SafetensorsScratch
    init() throws { scratch = try SafetensorsScratch() }

    private static let first = "model-00001-of-00002.safetensors"
    private static let second = "model-00002-of-00002.safetensors"

    /// Two shards written by `SafetensorsWriter` and the index text given.
    private func writeShards() throws {
        try SafetensorsWriter.write([
            .init(name: "embed", shape: [3, 2], values: .f32([1, 2, 3, 4, 5, 6])),
            .init(name: "norm", shape: [2], values: .bf16([0.5, -1])),
        ], metadata: ["format": "pt"], to: scratch.url(Self.first))
        try SafetensorsWriter.write([
            .init(name: "head", shape: [2, 2], values: .f16([1, -1, 0.25, 8])),
            .init(name: "ids", shape: [3], values: .i32([4, 5, 6])),
        ], to: scratch.url(Self.second))
    }

    private func writeIndex(_ weightMap: [(String, String)], extra: String = "") throws -> URL {
        let pairs = weightMap.map { "\"\($0.0)\": \"\($0.1)\"" }.joined(separator: ", ")
        let text = "{\"metadata\": {\"total_size\": 60\(extra)}, \"weight_map\": {\(pairs)}}"
        let url = scratch.url(SafetensorsCheckpoint.indexFileName)
        try Data(text.utf8).write(to: url)
        return url
    }

    private var validMap: [(String, String)] {
        [("embed", Self.first), ("norm", Self.first), ("head", Self.second), ("ids", Self.second)]
    }

    @Test func twoShardsReadThroughTheIndex() throws {
        try writeShards()
        _ = try writeIndex(validMap, extra: ", \"note\": \"x\", \"flag\": true")
        let checkpoint = try SafetensorsCheckpoint(directory: scratch.directory)
        #expect(checkpoint.metadata == ["total_size": "60", "note": "x", "flag": "true"])
        #expect(checkpoint.tensorNames == ["embed", "norm", "head", "ids"])
        #expect(checkpoint.files.map(\.url.lastPathComponent) == [Self.first, Self.second])
        #expect(checkpoint.info("head")?.shape == [2, 2])
        #expect(checkpoint.info("head")?.dtype == .f16)
        #expect(try checkpoint.floats("embed") == [1, 2, 3, 4, 5, 6])
        #expect(try checkpoint.floats("norm") == [0.5, -1])
        var head = [Float](repeating: 0, count: 4)
        try head.withUnsafeMutableBufferPointer { try checkpoint.read("head", into: $0) }
        #expect(head == [1, -1, 0.25, 8])
        #expect(try checkpoint.int32s("ids") == [4, 5, 6])
        #expect(try checkpoint.bytes("ids").count == 12)
        try checkpoint.checkFinite("embed")
        #expect(checkpoint.file(containing: "ids")?.url.lastPathComponent == Self.second)
        #expect(throws: SafetensorsError.unknownTensor(file: scratch.directory.path, tensor: "nope")) {
            try checkpoint.floats("nope")
        }
    }

    @Test func singleFileDirectory() throws {
        let checkpoint = try SafetensorsCheckpoint(directory: SharedFixtures.url("tiny-llama"))
        #expect(checkpoint.files.count == 1)
        #expect(checkpoint.metadata == ["format": "pt"])
        #expect(checkpoint.info("model.embed_tokens.weight")?.shape == [256, 64])
        #expect(try checkpoint.floats("model.norm.weight").count == 64)
    }

    @Test(arguments: ["../evil.safetensors", "sub/model.safetensors", "..", "/etc/passwd", ""])
    func pathTraversalShardNamesAreRejected(shard: String) throws {
        try writeShards()
        let index = try writeIndex(validMap + [("evil", shard)])
        #expect(throws: SafetensorsError.unsafeShardName(file: index.path, tensor: "evil", shard: shard)) {
            try SafetensorsCheckpoint(directory: scratch.directory)
        }
    }

    @Test func inconsistentIndexesAreRejected() throws {
        try writeShards()
        let missing = try writeIndex(validMap + [("ghost", Self.second)])
        #expect(throws: SafetensorsError.tensorMissingFromShard(file: missing.path, tensor: "ghost", shard: Self.second)) {
            try SafetensorsCheckpoint(directory: scratch.directory)
        }
        _ = try writeIndex([("embed", Self.first), ("head", Self.second), ("ids", Self.second)])
        #expect(throws: SafetensorsError.unmappedTensor(file: scratch.url(Self.first).path, tensor: "norm")) {
            try SafetensorsCheckpoint(directory: scratch.directory)
        }
        try SafetensorsWriter.write([.init(name: "norm", shape: [1], values: .f32([1]))], to: scratch.url("extra.safetensors"))
        _ = try writeIndex(validMap + [("x", "extra.safetensors")])
        #expect(throws: SafetensorsError.tensorInTwoShards(tensor: "norm", first: "extra.safetensors", second: Self.first)) {
            try SafetensorsCheckpoint(directory: scratch.directory)
        }
        let duplicate = try writeIndex(validMap + [("embed", Self.first)])
        #expect(throws: SafetensorsError.self) { try SafetensorsCheckpoint(directory: scratch.directory) }
        #expect(duplicate.lastPathComponent == SafetensorsCheckpoint.indexFileName)
        try Data("{\"weight_map\": {\"embed\": 3}}".utf8).write(to: duplicate)
        #expect(throws: SafetensorsError.invalidIndex(file: duplicate.path, expected: "weight_map['embed'] to be a shard file name")) {
            try SafetensorsCheckpoint(directory: scratch.directory)
        }
    }

    @Test func duplicateTensorInWeightMapIsADuplicateKey() throws {
        try writeShards()
        let index = try writeIndex(validMap + [("embed", Self.second)])
        do {
            _ = try SafetensorsCheckpoint(directory: scratch.directory)
            Issue.record("a weight_map listing 'embed' twice was accepted")
        } catch let error as SafetensorsError {
            guard case .duplicateKey(let file, let key, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(file == index.path && key == "embed")
        }
    }

    @Test func emptyDirectoryIsNoCheckpoint() throws {
        #expect(throws: SafetensorsError.noCheckpoint(directory: scratch.directory.path)) {
            try SafetensorsCheckpoint(directory: scratch.directory)
        }
    }
}
