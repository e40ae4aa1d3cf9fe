import Foundation

extension GateReport {
    /// gate.json's bytes: indented, keys sorted, a non-finite number written as "inf", "-inf" or "nan".
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                      nan: "nan")
        return try encoder.encode(self)
    }

    /// Reads what `encoded()` writes.
    /// - Throws: the decoder's error naming the key at fault (a missing field, an unknown role).
    public static func decode(_ data: Data) throws -> GateReport {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                        nan: "nan")
        return try decoder.decode(GateReport.self, from: data)
    }
}
