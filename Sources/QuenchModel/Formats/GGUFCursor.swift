/// A bounds-checked little-endian reader over the mapped bytes of a GGUF file.
///
/// Every read checks that its bytes lie inside the file before loading them, and a failed check
/// throws `GGUFError.truncated` naming what was being read and where.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var offset: Int = 0

    init(bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// Bytes between the cursor and the end of the file.
    var remaining: Int { bytes.count - offset }

    /// Throws unless `count` more bytes are available for `what`.
    func require(_ count: UInt64, reading what: @autoclosure () -> String) throws {
        guard count <= UInt64(remaining) else {
            throw GGUFError.truncated(
                path: path, reading: what(), offset: offset, needed: count, available: remaining)
        }
    }

    /// Reads a fixed-width little-endian integer.
    mutating func integer<T: FixedWidthInteger>(
        _ type: T.Type, reading what: @autoclosure () -> String
    ) throws -> T {
        try require(UInt64(MemoryLayout<T>.size), reading: what())
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    /// Reads a GGUF string: a u64 byte length, then that many UTF-8 bytes (no terminator).
    ///
    /// Invalid UTF-8 is repaired with U+FFFD rather than rejected, as ggml does not validate it.
    mutating func string(reading what: @autoclosure () -> String) throws -> String {
        let length = try integer(UInt64.self, reading: "length of \(what())")
        try require(length, reading: what())
        let count = Int(length)  // fits: it is at most `remaining`
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return String(decoding: slice, as: UTF8.self)
    }
}
