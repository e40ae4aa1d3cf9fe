import Foundation

/// Locates the syntax error in JSON that Foundation refused ("The given data was not valid JSON."
/// names no position), so errors about config.json or tokenizer.json can point at the byte.
enum JSONSyntax {
    /// "not valid JSON: expected … at byte N (line L, column C)", or nil when the strict parser
    /// finds no syntax error (Foundation refused the file for another reason).
    static func problem(in data: Data) -> String? {
        data.withUnsafeBytes { bytes in
            do {
                _ = try SafetensorsJSONParser.parse(bytes, file: "")
                return nil
            } catch SafetensorsError.invalidJSON(_, let offset, let expected) {
                let before = bytes.prefix(offset)
                let line = before.count(where: { $0 == UInt8(ascii: "\n") }) + 1
                let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
                return "not valid JSON: expected \(expected) at byte \(offset) (line \(line), column \(column))"
            } catch {
                return nil
            }
        }
    }
}
