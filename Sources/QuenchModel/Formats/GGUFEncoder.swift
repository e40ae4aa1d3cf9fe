/// Little-endian serialisation of the front of a GGUF file: header, metadata and tensor infos.
struct GGUFEncoder {
    /// File being written, for errors.
    let path: String
    private(set) var bytes: [UInt8] = []

    init(path: String) { self.path = path }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A GGUF string: u64 byte length, then the UTF-8 bytes.
    mutating func append(_ string: String) {
        let utf8 = Array(string.utf8)
        append(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// A metadata entry: key, u32 value type, value.
    mutating func appendEntry(key: String, value: GGUFValue) throws {
        append(key)
        append(value.valueType.rawValue)
        try appendPayload(value, key: key)
    }

    /// A tensor info: name, u32 n_dims, u64 dims (ne0 first), u32 type, u64 data offset.
    mutating func appendTensorInfo(name: String, dimensions: [Int], type: GGMLType, offset: Int) {
        append(name)
        append(UInt32(dimensions.count))
        for dimension in dimensions { append(UInt64(dimension)) }
        append(type.rawValue)
        append(UInt64(offset))
    }

    /// Zero bytes up to the next multiple of `alignment`.
    mutating func pad(to alignment: Int) {
        let padding = GGUFEncoder.padding(for: bytes.count, alignment: alignment)
        bytes.append(contentsOf: repeatElement(0, count: padding))
    }

    /// Bytes needed after `size` to reach a multiple of `alignment`.
    static func padding(for size: Int, alignment: Int) -> Int {
        (alignment - size % alignment) % alignment
    }

    /// A value without its type tag. An array's elements must share one type; an empty array
    /// is written as an array of strings, the commonest list type in GGUF metadata.
    private mutating func appendPayload(_ value: GGUFValue, key: String) throws {
        switch value {
        case .uint8(let v): append(v)
        case .int8(let v): append(v)
        case .uint16(let v): append(v)
        case .int16(let v): append(v)
        case .uint32(let v): append(v)
        case .int32(let v): append(v)
        case .uint64(let v): append(v)
        case .int64(let v): append(v)
        case .float32(let v): append(v.bitPattern)
        case .float64(let v): append(v.bitPattern)
        case .bool(let v): append(UInt8(v ? 1 : 0))
        case .string(let v): append(v)
        case .array(let elements):
            let elementType = elements.first?.valueType ?? .string
            guard elements.allSatisfy({ $0.valueType == elementType }) else {
                throw GGUFError.mixedArray(path: path, key: key)
            }
            append(elementType.rawValue)
            append(UInt64(elements.count))
            for element in elements { try appendPayload(element, key: key) }
        }
    }
}
