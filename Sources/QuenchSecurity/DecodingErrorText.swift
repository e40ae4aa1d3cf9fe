import Foundation
import QuenchFiles

/// Plain words for an error met reading a JSON file: `JSONErrorText` for what decoding or `RegularFile`
/// threw, `FileErrorText` for an error Foundation raised reading the file.
public enum DecodingErrorText {
    /// See `JSONErrorText.describe(_:in:stillFails:)`.
    public static func describe(_ error: any Error, in data: Data? = nil, stillFails: ((Data) -> Bool)? = nil) -> String {
        guard error is DecodingError || error is RegularFile.Failure else { return FileErrorText.reason(error) }
        return JSONErrorText.describe(error, in: data, stillFails: stillFails)
    }
}
