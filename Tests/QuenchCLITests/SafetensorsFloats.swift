import Foundation
import QuenchModel
import Testing

/// Weights written by two runs compared tensor by tensor within a tolerance, read through
/// QuenchModel's validated `SafetensorsFile`.
enum SafetensorsFloats {
    /// The tensors of `a` whose names start with one of `prefixes` (every tensor when empty) and whose
    /// relative error against `b`'s, ‖a − b‖₂ / ‖b‖₂ (in doubles), exceeds `tolerance`, with that
    /// error; a tensor only one file has, or of another size, counts as infinite. Fails the test when
    /// neither file has such a tensor: comparing nothing would pass silently.
    static func differences(_ a: URL, _ b: URL, tolerance: Double, prefixes: [String] = []) throws -> [String: Double] {
        let (left, right) = (try SafetensorsFile(contentsOf: a), try SafetensorsFile(contentsOf: b))
        let names = Set(left.tensorNames).union(right.tensorNames)
            .filter { name in prefixes.isEmpty || prefixes.contains { name.hasPrefix($0) } }
        try #require(!names.isEmpty, "no tensors\(prefixes.isEmpty ? "" : " named \(prefixes)*") in \(a.path) or \(b.path)")
        var differing: [String: Double] = [:]
        for name in names {
            guard left.info(name) != nil, right.info(name) != nil else {
                differing[name] = .infinity
                continue
            }
            let (x, y) = (try left.floats(name), try right.floats(name))
            guard x.count == y.count else {
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
