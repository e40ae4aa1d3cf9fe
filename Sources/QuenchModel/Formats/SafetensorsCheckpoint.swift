import Foundation

/// A model's weights as saved by `save_pretrained`: one `model.safetensors`, or shards listed by
/// `model.safetensors.index.json`, read through one API by tensor name.
///
/// Opening validates every shard and the index against each other (each mapped tensor is in its
/// shard, no tensor in two shards, no shard tensor left unmapped), so a loader can trust names.
public struct SafetensorsCheckpoint {
    /// The single-file checkpoint name, preferred when present (as transformers does).
    public static let singleFileName = "model.safetensors"
    /// The index naming the shards of a sharded checkpoint.
    public static let indexFileName = "model.safetensors.index.json"

    /// The checkpoint directory.
    public let directory: URL
    /// The single file's `__metadata__`, or the index's `metadata` (scalars as text).
    public let metadata: [String: String]
    /// Every tensor, shard by shard (shards sorted by file name), in data order within a shard.
    public let tensorNames: [String]
    /// The open files: one for a single-file checkpoint, else one per shard, sorted by file name.
    public let files: [SafetensorsFile]
    /// Every file the checkpoint was read from: the single file, or the index and then its shards.
    public let sourceFiles: [URL]

    private let fileIndexOfTensor: [String: Int]

    /// Opens the checkpoint in `directory`; throws `SafetensorsError` naming the first problem.
    public init(directory: URL) throws {
        if let single = try Self.singleFile(in: directory) {
            let file = try SafetensorsFile(contentsOf: single)
            self.init(directory: directory, metadata: file.metadata, files: [file], index: nil)
        } else {
            let indexURL = directory.appendingPathComponent(Self.indexFileName)
            let index = try SafetensorsIndex(path: indexURL.path)
            let files = try Self.openShards(index, directory: directory, indexPath: indexURL.path)
            self.init(directory: directory, metadata: index.metadata, files: files, index: indexURL)
        }
    }

    /// The files `init(directory:)` reads, without opening the weights: `model.safetensors` when
    /// present, else the index and exactly the shards its weight_map names, sorted by file name.
    /// - Throws: `SafetensorsError` when the folder has neither, or the index is not valid.
    public static func files(in directory: URL) throws -> [URL] {
        if let single = try singleFile(in: directory) { return [single] }
        let indexURL = directory.appendingPathComponent(indexFileName)
        let index = try SafetensorsIndex(path: indexURL.path)
        return [indexURL] + index.shardNames.map { directory.appendingPathComponent($0) }
    }

    /// `model.safetensors` when the folder has it (preferred, as transformers does); nil when it has
    /// only an index. - Throws: `noCheckpoint` when it has neither.
    private static func singleFile(in directory: URL) throws -> URL? {
        let single = directory.appendingPathComponent(singleFileName)
        if FileManager.default.fileExists(atPath: single.path) { return single }
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(indexFileName).path) else {
            throw SafetensorsError.noCheckpoint(directory: directory.path)
        }
        return nil
    }

    private init(directory: URL, metadata: [String: String], files: [SafetensorsFile], index: URL?) {
        self.directory = directory
        self.metadata = metadata
        self.files = files
        sourceFiles = (index.map { [$0] } ?? []) + files.map(\.url)
        var names: [String] = []
        var fileIndexOfTensor: [String: Int] = [:]
        for (position, file) in files.enumerated() {
            for name in file.tensorNames {
                names.append(name)
                fileIndexOfTensor[name] = position
            }
        }
        self.tensorNames = names
        self.fileIndexOfTensor = fileIndexOfTensor
    }

    /// Opens each shard once and checks it against the index in both directions.
    private static func openShards(_ index: SafetensorsIndex, directory: URL, indexPath: String) throws -> [SafetensorsFile] {
        let shardNames = index.shardNames
        var owner: [String: String] = [:]
        var files: [SafetensorsFile] = []
        for shard in shardNames {
            let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent(shard))
            for name in file.tensorNames {
                if let first = owner[name] { throw SafetensorsError.tensorInTwoShards(tensor: name, first: first, second: shard) }
                owner[name] = shard
            }
            files.append(file)
        }
        for file in files {
            for name in file.tensorNames where index.weightMap[name] != file.url.lastPathComponent {
                throw SafetensorsError.unmappedTensor(file: file.url.path, tensor: name)
            }
        }
        for (name, shard) in index.weightMap.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) })
        where owner[name] != shard {
            throw SafetensorsError.tensorMissingFromShard(file: indexPath, tensor: name, shard: shard)
        }
        return files
    }

    /// The file holding `name`, for access beyond this API (raw bytes, metadata of a shard).
    public func file(containing name: String) -> SafetensorsFile? {
        fileIndexOfTensor[name].map { files[$0] }
    }

    private func requireFile(_ name: String) throws -> SafetensorsFile {
        guard let file = file(containing: name) else {
            throw SafetensorsError.unknownTensor(file: directory.path, tensor: name)
        }
        return file
    }

    /// The tensor's dtype, shape and byte range within its file, or nil when absent.
    public func info(_ name: String) -> SafetensorsTensorInfo? { file(containing: name)?.info(name) }

    /// The tensor's elements converted to Float (F32, F16, BF16).
    public func floats(_ name: String) throws -> [Float] { try requireFile(name).floats(name) }

    /// Converts the tensor's elements straight into `destination` (count must match exactly).
    public func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try requireFile(name).read(name, into: destination)
    }

    /// The tensor's elements as Int32 (I32, or I64 checked to fit).
    public func int32s(_ name: String) throws -> [Int32] { try requireFile(name).int32s(name) }

    /// The tensor's raw little-endian bytes, valid while this checkpoint (or its file) lives.
    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer { try requireFile(name).bytes(name) }

    /// Throws `nonFinite` naming the first NaN or infinite element of a float tensor.
    public func checkFinite(_ name: String) throws { try requireFile(name).checkFinite(name) }
}
