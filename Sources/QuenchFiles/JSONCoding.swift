import Foundation

/// The JSON configurations Quench writes and reads with, named by purpose, so every file of one kind
/// has the same bytes whichever module wrote it. Each property makes a fresh coder, so no caller can
/// change another's settings.
public enum JSONCoding {
    /// Files people and tools read (run state, reports, manifests, job records): indented, keys
    /// sorted, `/` not escaped, dates ISO 8601, infinities and NaN as "inf", "-inf", "nan" (JSON has
    /// no numbers for them).
    public static var fileEncoder: JSONEncoder { encoder([.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) }

    /// One value per line (JSONL logs, database columns): as `fileEncoder`, without the indentation.
    public static var lineEncoder: JSONEncoder { encoder([.sortedKeys, .withoutEscapingSlashes]) }

    /// The bytes that are hashed or signed: compact, keys sorted, `/` not escaped, and Foundation's
    /// defaults otherwise (a non-finite number is refused, not spelled). Changing it changes every
    /// stored hash and signature, so it stays apart from the encoders for files.
    public static var canonicalEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Reads what `fileEncoder` and `lineEncoder` write (ISO 8601 dates, "inf", "-inf", "nan").
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    private static func encoder(_ formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }
}
