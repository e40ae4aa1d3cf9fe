/// A validated `model.safetensors.index.json`: which shard file holds each tensor.
struct SafetensorsIndex {
    /// The index's `metadata`, scalars as text (`total_size` is a number in transformers' indexes).
    let metadata: [String: String]
    /// Tensor name → shard file name, every shard name a plain file name.
    let weightMap: [String: String]

    /// The shard files the weight map names, each once, sorted by file name (bytewise).
    var shardNames: [String] { Set(weightMap.values).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }

    /// Reads and validates the index at `path`, with the same strict JSON rules as headers.
    init(path: String) throws {
        let mapping: MappedFile
        do {
            mapping = try MappedFile(path: path, limit: SafetensorsHeader.maximumLength)
        } catch {
            throw SafetensorsError(error, file: path)
        }
        let json = try withExtendedLifetime(mapping) { try SafetensorsJSONParser.parse(mapping.bytes, file: path) }
        guard case .object(let members) = json else {
            throw SafetensorsError.invalidIndex(file: path, expected: "a JSON object with weight_map")
        }
        var metadata: [String: String] = [:]
        var weightMap: [String: String]?
        for member in members {
            switch member.key {
            case "metadata": metadata = try Self.parseMetadata(member.value, path: path)
            case "weight_map": weightMap = try Self.parseWeightMap(member.value, path: path)
            default: continue  // other keys carry nothing Quench reads
            }
        }
        guard let weightMap else { throw SafetensorsError.invalidIndex(file: path, expected: "a weight_map object") }
        self.metadata = metadata
        self.weightMap = weightMap
    }

    private static func parseMetadata(_ value: SafetensorsJSON, path: String) throws -> [String: String] {
        let expected = "metadata to be an object of strings, numbers or booleans"
        guard case .object(let members) = value else { throw SafetensorsError.invalidIndex(file: path, expected: expected) }
        var metadata: [String: String] = [:]
        for member in members {
            switch member.value {
            case .string(let text), .number(let text): metadata[member.key] = text
            case .bool(let flag): metadata[member.key] = flag ? "true" : "false"
            case .object, .array, .null: throw SafetensorsError.invalidIndex(file: path, expected: expected)
            }
        }
        return metadata
    }

    private static func parseWeightMap(_ value: SafetensorsJSON, path: String) throws -> [String: String] {
        guard case .object(let members) = value else {
            throw SafetensorsError.invalidIndex(file: path, expected: "weight_map to be an object of tensor name to shard file name")
        }
        var weightMap: [String: String] = [:]
        for member in members {
            guard case .string(let shard) = member.value else {
                throw SafetensorsError.invalidIndex(file: path, expected: "weight_map['\(member.key)'] to be a shard file name")
            }
            guard isPlainFileName(shard) else {
                throw SafetensorsError.unsafeShardName(file: path, tensor: member.key, shard: shard)
            }
            weightMap[member.key] = shard
        }
        return weightMap
    }

    /// True when `name` names a file directly inside the checkpoint directory: no separators, no
    /// `.` or `..`, no NUL; so a hostile index cannot make us open files elsewhere.
    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".."
            && !name.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") || $0 == 0 })
    }
}
