import Foundation
import QuenchSecurity

extension SequenceSet {
    /// SHA-256 over the rows exactly as batches read them (length, inputs, targets, positions, segments,
    /// scored counts): equal on two machines only when they train on the same rows.
    var digest: String {
        let parts = [inputs, targets, positions, segments].map { values in
            values.withUnsafeBytes { FileDigest.sha256(of: $0) }
        }
        let counts = scoredPerRow.map(String.init).joined(separator: ",")
        return FileDigest.sha256(of: Data((["\(time) \(policy) \(padID)", counts] + parts).joined(separator: " ").utf8))
    }
}
