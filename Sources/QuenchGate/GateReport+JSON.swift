import Foundation
import QuenchFiles

extension GateReport {
    /// gate.json's bytes: indented, keys sorted, a non-finite number written as "inf", "-inf" or "nan".
    public func encoded() throws -> Data { try JSONCoding.fileEncoder.encode(self) }

    /// Reads what `encoded()` writes.
    /// - Throws: the decoder's error naming the key at fault (a missing field, an unknown role).
    public static func decode(_ data: Data) throws -> GateReport { try JSONCoding.decoder.decode(GateReport.self, from: data) }
}
