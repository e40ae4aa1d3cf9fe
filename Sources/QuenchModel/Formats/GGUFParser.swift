/// What the parser learns from the front of a GGUF file: metadata, tensor table, data layout.
struct GGUFLayout {
    var version: UInt32
    var metadata: [String: GGUFValue]
    var metadataKeys: [String]
    var tensors: [GGUFTensorInfo]
    var alignment: Int
    var dataOffset: Int
}

/// Parses and validates the header, metadata and tensor infos of a mapped GGUF file.
///
/// Layout (all little-endian): "GGUF", u32 version, u64 tensor count, u64 metadata count,
/// the metadata entries (string key, u32 type, value), the tensor infos (string name, u32 n_dims,
/// u64 dims[n_dims] with ne0 first, u32 ggml type, u64 offset into the data section), padding to
/// the alignment, then the data section.
enum GGUFParser {
    /// Deepest nesting of arrays accepted, so a hostile file cannot exhaust the stack.
    static let maximumArrayDepth = 8
    /// Alignment of the data section and of every tensor when `general.alignment` is absent.
    static let defaultAlignment = 32
    /// Most dimensions a ggml tensor has.
    static let maximumDimensions = 4

    static let magic: [UInt8] = Array("GGUF".utf8)
    /// Bytes of magic, version and the two counts.
    static let headerSize = 24
    /// Fewest bytes of one metadata entry: key length, value type and a 1-byte value.
    static let minimumEntrySize = 13
    /// Fewest bytes of one tensor info: name length, n_dims, type and offset.
    static let minimumTensorInfoSize = 24

    static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> GGUFLayout {
        var cursor = GGUFCursor(bytes: bytes, path: path)
        try cursor.require(4, reading: "magic")
        let magic = Array(bytes[0..<4])
        guard magic == Self.magic else { throw GGUFError.notGGUF(path: path, magic: magic) }
        _ = try cursor.integer(UInt32.self, reading: "magic")
        let version = try cursor.integer(UInt32.self, reading: "version")
        guard version == 2 || version == 3 else {
            throw GGUFError.unsupportedVersion(path: path, version: version)
        }
        let tensorCount = try readCount(&cursor, "tensor count", minimumSize: minimumTensorInfoSize)
        let entryCount = try readCount(&cursor, "metadata entry count", minimumSize: minimumEntrySize)

        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        for index in 0..<entryCount {
            let entryOffset = cursor.offset
            let key = try cursor.string(reading: "key of metadata entry \(index)")
            guard metadata[key] == nil else {
                throw GGUFError.duplicateKey(path: path, key: key, offset: entryOffset)
            }
            let type = try cursor.integer(UInt32.self, reading: "value type of '\(key)'")
            metadata[key] = try readValue(&cursor, type: type, key: key, depth: 0)
            keys.append(key)
        }
        let alignment = try readAlignment(metadata["general.alignment"], path: path)

        var pending: [PendingTensor] = []
        var tensorIndex: Set<String> = []
        for index in 0..<tensorCount {
            let infoOffset = cursor.offset
            let tensor = try readTensorInfo(&cursor, index: index)
            guard tensorIndex.insert(tensor.name).inserted else {
                throw GGUFError.duplicateTensor(path: path, name: tensor.name, offset: infoOffset)
            }
            pending.append(tensor)
        }

        // The data section starts at the first aligned offset after the infos (alignment <= 2^32,
        // file offsets < 2^62, so this cannot overflow).
        let dataOffset = (cursor.offset + alignment - 1) / alignment * alignment
        let tensors = try pending.map {
            try place($0, dataOffset: dataOffset, alignment: alignment, fileSize: bytes.count, path: path)
        }
        try checkDisjoint(tensors, path: path)
        return GGUFLayout(
            version: version, metadata: metadata, metadataKeys: keys, tensors: tensors,
            alignment: alignment, dataOffset: dataOffset)
    }

    /// Most elements of one metadata array: the largest vocabularies and merge lists hold a few
    /// hundred thousand; each element parsed costs far more memory than its bytes in the file.
    static let maximumArrayLength = 1 << 24

    /// Reads a u64 count and caps it by how many items of `minimumSize` bytes the rest can hold
    /// (and by `cap`).
    private static func readCount(
        _ cursor: inout GGUFCursor, _ what: String, minimumSize: Int, cap: Int = .max
    ) throws -> Int {
        let offset = cursor.offset
        let count = try cursor.integer(UInt64.self, reading: what)
        let limit = min(cursor.remaining / minimumSize, cap)
        guard count <= UInt64(limit) else {
            throw GGUFError.countTooLarge(path: cursor.path, what: what, count: count, limit: limit, offset: offset)
        }
        return Int(count)
    }

    private static func readValue(
        _ cursor: inout GGUFCursor, type rawType: UInt32, key: String, depth: Int
    ) throws -> GGUFValue {
        guard let type = GGUFValueType(rawValue: rawType) else {
            throw GGUFError.unknownValueType(path: cursor.path, key: key, type: rawType, offset: cursor.offset - 4)
        }
        switch type {
        case .uint8: return .uint8(try cursor.integer(UInt8.self, reading: "value of '\(key)'"))
        case .int8: return .int8(try cursor.integer(Int8.self, reading: "value of '\(key)'"))
        case .uint16: return .uint16(try cursor.integer(UInt16.self, reading: "value of '\(key)'"))
        case .int16: return .int16(try cursor.integer(Int16.self, reading: "value of '\(key)'"))
        case .uint32: return .uint32(try cursor.integer(UInt32.self, reading: "value of '\(key)'"))
        case .int32: return .int32(try cursor.integer(Int32.self, reading: "value of '\(key)'"))
        case .uint64: return .uint64(try cursor.integer(UInt64.self, reading: "value of '\(key)'"))
        case .int64: return .int64(try cursor.integer(Int64.self, reading: "value of '\(key)'"))
        case .float32:
            return .float32(Float(bitPattern: try cursor.integer(UInt32.self, reading: "value of '\(key)'")))
        case .float64:
            return .float64(Double(bitPattern: try cursor.integer(UInt64.self, reading: "value of '\(key)'")))
        case .bool: return .bool(try cursor.integer(UInt8.self, reading: "value of '\(key)'") != 0)
        case .string: return .string(try cursor.string(reading: "value of '\(key)'"))
        case .array:
            guard depth < maximumArrayDepth else {
                throw GGUFError.arrayNestedTooDeeply(path: cursor.path, key: key, offset: cursor.offset)
            }
            let elementRawType = try cursor.integer(UInt32.self, reading: "element type of '\(key)'")
            guard let elementType = GGUFValueType(rawValue: elementRawType) else {
                throw GGUFError.unknownValueType(
                    path: cursor.path, key: key, type: elementRawType, offset: cursor.offset - 4)
            }
            let count = try readCount(
                &cursor, "element count of '\(key)'", minimumSize: elementType.minimumSize, cap: maximumArrayLength)
            var elements: [GGUFValue] = []
            for _ in 0..<count {
                elements.append(try readValue(&cursor, type: elementRawType, key: key, depth: depth + 1))
            }
            return .array(elements)
        }
    }

    private static func readAlignment(_ value: GGUFValue?, path: String) throws -> Int {
        guard let value else { return defaultAlignment }
        guard let alignment = value.int, alignment > 0, alignment.nonzeroBitCount == 1,
            alignment <= 1 << 32
        else {
            throw GGUFError.invalidAlignment(path: path, value: String(describing: value))
        }
        return alignment
    }

    /// A tensor info as read, before its offset is checked against the data section.
    private struct PendingTensor {
        var name: String
        var dimensions: [Int]
        var type: GGMLType
        var offset: UInt64
        var elementCount: Int
        var byteCount: Int
    }

    private static func readTensorInfo(_ cursor: inout GGUFCursor, index: Int) throws -> PendingTensor {
        let path = cursor.path
        let name = try cursor.string(reading: "name of tensor \(index)")
        let dimensionsOffset = cursor.offset
        let dimensionCount = try cursor.integer(UInt32.self, reading: "dimension count of '\(name)'")
        guard dimensionCount <= UInt32(maximumDimensions) else {
            throw GGUFError.tooManyDimensions(
                path: path, tensor: name, dimensions: dimensionCount, offset: dimensionsOffset)
        }
        var rawDimensions: [UInt64] = []
        for axis in 0..<Int(dimensionCount) {
            rawDimensions.append(try cursor.integer(UInt64.self, reading: "dimension \(axis) of '\(name)'"))
        }
        let typeOffset = cursor.offset
        let rawType = try cursor.integer(UInt32.self, reading: "type of '\(name)'")
        guard let type = GGMLType(rawValue: rawType) else {
            throw GGUFError.unknownTensorType(path: path, tensor: name, type: rawType, offset: typeOffset)
        }
        let offset = try cursor.integer(UInt64.self, reading: "data offset of '\(name)'")

        // Element and byte counts, with every product overflow-checked.
        var dimensions: [Int] = []
        var elementCount = 1
        for raw in rawDimensions {
            guard let dimension = Int(exactly: raw) else {
                throw GGUFError.tensorTooLarge(path: path, tensor: name, dimensions: rawDimensions)
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw GGUFError.tensorTooLarge(path: path, tensor: name, dimensions: rawDimensions)
            }
            elementCount = product
            dimensions.append(dimension)
        }
        let rowLength = dimensions.first ?? 1
        guard rowLength % type.blockSize == 0 else {
            throw GGUFError.rowNotWholeBlocks(path: path, tensor: name, type: type, rowLength: rowLength)
        }
        let (byteCount, overflow) = (elementCount / type.blockSize).multipliedReportingOverflow(by: type.bytesPerBlock)
        guard !overflow else {
            throw GGUFError.tensorTooLarge(path: path, tensor: name, dimensions: rawDimensions)
        }
        return PendingTensor(
            name: name, dimensions: dimensions, type: type, offset: offset,
            elementCount: elementCount, byteCount: byteCount)
    }

    /// Throws unless no two tensors share a byte of the data section, so the parameters read from
    /// a file can never be more than the file holds.
    private static func checkDisjoint(_ tensors: [GGUFTensorInfo], path: String) throws {
        let ordered = tensors.filter { $0.byteCount > 0 }.sorted { ($0.fileOffset, $0.name) < ($1.fileOffset, $1.name) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.fileOffset < previous.fileOffset + previous.byteCount {
            throw GGUFError.overlappingTensors(
                path: path, tensor: next.name, start: next.fileOffset, previous: previous.name,
                previousEnd: previous.fileOffset + previous.byteCount)
        }
    }

    /// Checks a tensor's offset is aligned and its bytes lie inside the file.
    private static func place(
        _ tensor: PendingTensor, dataOffset: Int, alignment: Int, fileSize: Int, path: String
    ) throws -> GGUFTensorInfo {
        guard tensor.offset % UInt64(alignment) == 0 else {
            throw GGUFError.misalignedTensor(path: path, tensor: tensor.name, offset: tensor.offset, alignment: alignment)
        }
        let (start, startOverflow) = UInt64(dataOffset).addingReportingOverflow(tensor.offset)
        let (end, endOverflow) = start.addingReportingOverflow(UInt64(tensor.byteCount))
        guard !startOverflow, !endOverflow, end <= UInt64(fileSize) else {
            throw GGUFError.tensorOutOfBounds(
                path: path, tensor: tensor.name, start: startOverflow ? UInt64.max : start,
                byteCount: tensor.byteCount, fileSize: fileSize)
        }
        return GGUFTensorInfo(
            name: tensor.name, dimensions: tensor.dimensions, type: tensor.type,
            offset: Int(tensor.offset), fileOffset: Int(start),
            elementCount: tensor.elementCount, byteCount: tensor.byteCount)
    }
}
