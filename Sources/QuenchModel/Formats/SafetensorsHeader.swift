/// What the header says about one tensor, after validation.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    /// The tensor's name as written in the file.
    public let name: String
    /// The element type.
    public let dtype: TensorDType
    /// Dimensions, outermost first; `[]` is a scalar.
    public let shape: [Int]
    /// Product of `shape` (1 for a scalar).
    public let elementCount: Int
    /// The tensor's bytes within the data section (the header's `data_offsets`); the data section
    /// starts right after the header, at file offset 8 + header length.
    public let byteRange: Range<Int>
}

/// A validated safetensors header: metadata plus tensors in data order.
struct SafetensorsHeader {
    /// Largest header accepted, as in the reference implementation: bounds what a hostile file can
    /// make us allocate before any check of its tensors.
    static let maximumLength = 100_000_000

    let metadata: [String: String]
    /// Sorted by begin offset (then end, then name); contiguous from 0 to the data size.
    let tensors: [SafetensorsTensorInfo]

    /// Parses and validates the header JSON of `file` whose data section holds `dataSize` bytes.
    init(json bytes: UnsafeRawBufferPointer, dataSize: Int, file: String) throws {
        guard case .object(let members) = try SafetensorsJSONParser.parse(bytes, file: file) else {
            throw SafetensorsError.headerNotObject(file: file)
        }
        var metadata: [String: String] = [:]
        var tensors: [SafetensorsTensorInfo] = []
        for member in members {
            if member.key == "__metadata__" {
                metadata = try Self.parseMetadata(member.value, file: file)
            } else {
                tensors.append(try Self.parseTensor(member.key, member.value, file: file))
            }
        }
        tensors.sort { left, right in
            let (a, b) = (left.byteRange, right.byteRange)
            guard a == b else { return (a.lowerBound, a.upperBound) < (b.lowerBound, b.upperBound) }
            return left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
        }
        try Self.checkContiguous(tensors, dataSize: dataSize, file: file)
        self.metadata = metadata
        self.tensors = tensors
    }

    private static func parseMetadata(_ value: SafetensorsJSON, file: String) throws -> [String: String] {
        guard case .object(let members) = value else { throw SafetensorsError.invalidMetadata(file: file, key: nil) }
        var metadata: [String: String] = [:]
        for member in members {
            guard case .string(let text) = member.value else {
                throw SafetensorsError.invalidMetadata(file: file, key: member.key)
            }
            metadata[member.key] = text
        }
        return metadata
    }

    private static let fields = ["dtype", "shape", "data_offsets"]

    private static func parseTensor(_ name: String, _ value: SafetensorsJSON, file: String) throws -> SafetensorsTensorInfo {
        guard case .object(let members) = value else {
            throw SafetensorsError.tensorEntryNotObject(file: file, tensor: name)
        }
        var found: [String: SafetensorsJSON] = [:]
        for member in members {
            guard fields.contains(member.key) else {
                throw SafetensorsError.unexpectedField(file: file, tensor: name, field: member.key)
            }
            found[member.key] = member.value
        }
        for field in fields where found[field] == nil {
            throw SafetensorsError.missingField(file: file, tensor: name, field: field)
        }
        guard case .string(let dtypeName)? = found["dtype"] else {
            throw SafetensorsError.malformedField(file: file, tensor: name, field: "dtype", expected: "a string")
        }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            throw SafetensorsError.unsupportedDType(file: file, tensor: name, dtype: dtypeName)
        }
        guard case .array(let dimensions)? = found["shape"],
              case let shape = dimensions.compactMap(\.nonNegativeInt), shape.count == dimensions.count
        else {
            throw SafetensorsError.malformedField(
                file: file, tensor: name, field: "shape", expected: "an array of non-negative integers")
        }
        guard case .array(let offsets)? = found["data_offsets"], offsets.count == 2,
              let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt
        else {
            throw SafetensorsError.malformedField(
                file: file, tensor: name, field: "data_offsets", expected: "[begin, end] of two non-negative integers")
        }
        guard begin <= end else { throw SafetensorsError.invalidOffsets(file: file, tensor: name, begin: begin, end: end) }
        var elements = 1
        for dimension in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw SafetensorsError.sizeOverflow(file: file, tensor: name, shape: shape) }
            elements = product
        }
        let (byteCount, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw SafetensorsError.sizeOverflow(file: file, tensor: name, shape: shape) }
        guard end - begin == byteCount else {
            throw SafetensorsError.sizeMismatch(
                file: file, tensor: name, dtype: dtype, shape: shape, expectedBytes: byteCount, begin: begin, end: end)
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, elementCount: elements, byteRange: begin..<end)
    }

    /// Every data byte must belong to exactly one tensor: no gaps, no overlaps, nothing after.
    private static func checkContiguous(_ tensors: [SafetensorsTensorInfo], dataSize: Int, file: String) throws {
        var expected = 0
        var previous: String?
        for tensor in tensors {
            let range = tensor.byteRange
            if range.lowerBound > expected {
                throw SafetensorsError.gap(file: file, after: previous, end: expected, tensor: tensor.name, begin: range.lowerBound)
            }
            if range.lowerBound < expected, let previous {
                throw SafetensorsError.overlap(
                    file: file, tensor: tensor.name, begin: range.lowerBound, previous: previous, previousEnd: expected)
            }
            if range.upperBound > dataSize {
                throw SafetensorsError.dataBeyondFile(file: file, tensor: tensor.name, end: range.upperBound, dataSize: dataSize)
            }
            expected = range.upperBound
            previous = tensor.name
        }
        guard expected == dataSize else {
            throw SafetensorsError.trailingBytes(file: file, dataEnd: expected, dataSize: dataSize)
        }
    }
}
