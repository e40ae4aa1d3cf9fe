import Foundation

/// The F32 tensors of a safetensors file by name, read here without QuenchModel so weights written by
/// two runs can be compared within a tolerance by code independent of the writer.
enum SafetensorsFloats {
    /// A file that is not a safetensors file of F32 tensors, and why.
    struct Unreadable: Error, CustomStringConvertible {
        let file: String
        let reason: String
        var description: String { "\(file): \(reason)" }
    }

    /// Every tensor of `url` but `__metadata__`, as floats in file order.
    static func read(_ url: URL) throws -> [String: [Float]] {
        let data = try Data(contentsOf: url)
        guard data.count >= 8 else { throw Unreadable(file: url.path, reason: "shorter than its 8-byte header length") }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(data.count - 8) else { throw Unreadable(file: url.path, reason: "header length \(length) past the end") }
        let start = 8 + Int(length)
        guard let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<start)) as? [String: Any] else {
            throw Unreadable(file: url.path, reason: "the header is not a JSON object")
        }
        var tensors: [String: [Float]] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], entry["dtype"] as? String == "F32",
                  let offsets = entry["data_offsets"] as? [Int], offsets.count == 2,
                  0 <= offsets[0], offsets[0] <= offsets[1], offsets[1] <= data.count - start, (offsets[1] - offsets[0]) % 4 == 0
            else { throw Unreadable(file: url.path, reason: "tensor \(name) is not an F32 tensor inside the file: \(value)") }
            let bytes = data.subdata(in: (start + offsets[0])..<(start + offsets[1]))
            tensors[name] = bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        }
        return tensors
    }

    /// The tensors of `a` whose relative error against `b`'s, ‖a − b‖₂ / ‖b‖₂ (in doubles), exceeds
    /// `tolerance`, with that error; a tensor only one file has, or of another size, counts as infinite.
    static func differences(_ a: URL, _ b: URL, tolerance: Double) throws -> [String: Double] {
        let (left, right) = (try read(a), try read(b))
        var differing: [String: Double] = [:]
        for name in Set(left.keys).union(right.keys) {
            guard let x = left[name], let y = right[name], x.count == y.count else {
                differing[name] = .infinity
                continue
            }
            let difference = zip(x, y).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
            let size = y.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let error = difference == 0 ? 0 : difference / size
            if !(error <= tolerance) { differing[name] = error }
        }
        return differing
    }
}
