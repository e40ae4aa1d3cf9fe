import Foundation

/// Plain words for an error decoding JSON: the key path for a value of the wrong kind, and for text
/// Foundation only calls "not valid JSON" (it gives no position on Linux, nor the key of a number
/// that does not fit) the byte, line and column of the syntax error, or the key and number at fault.
public enum JSONErrorText {
    /// E.g. "at stages[0].status: cannot initialize Status from invalid String value 'done'", or
    /// "not valid JSON: expected ',' or '}' at byte 9 (line 1, column 10)".
    /// - Parameters:
    ///   - data: the text that was decoded, to locate what Foundation does not.
    ///   - stillFails: decodes a copy of `data` and says whether it still fails; lets the number at
    ///     fault be named for certain instead of as the likeliest one.
    public static func describe(_ error: any Error, in data: Data? = nil, stillFails: ((Data) -> Bool)? = nil) -> String {
        if let failure = error as? RegularFile.Failure { return failure.reason }
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .typeMismatch(let type, let context):
            return place(context.codingPath) + "expected \(type): " + context.debugDescription
        case .valueNotFound(let type, let context):
            return place(context.codingPath) + "missing \(type) value: " + context.debugDescription
        case .keyNotFound(let key, let context):
            return place(context.codingPath) + "the key '\(key.stringValue)' is missing"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty, let data, let located = problem(in: data, stillFails: stillFails) { return located }
            return place(context.codingPath) + context.debugDescription
        @unknown default:
            return String(describing: error)
        }
    }

    /// The key path "a.b[2]" of `codingPath`.
    public static func keyPath(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return path
    }

    /// "at a.b[2]: " for a non-empty coding path.
    private static func place(_ codingPath: [any CodingKey]) -> String {
        let path = keyPath(codingPath)
        return path.isEmpty ? "" : "at \(path): "
    }

    /// The syntax error in `data` with its byte, line and column, or (for valid JSON a decoder refused)
    /// the number that does not fit its key; nil for valid JSON without numbers.
    public static func problem(in data: Data, stillFails: ((Data) -> Bool)? = nil) -> String? {
        let bytes = [UInt8](data)
        let scan: JSONScan
        do {
            scan = try JSONScan(bytes)
        } catch {
            return "not valid JSON: expected \(error.expected) at \(position(error.offset, in: bytes))"
        }
        // Valid text Foundation refused: a number its key's type cannot hold. Larger ones first.
        let suspects = scan.numbers.sorted { magnitude($0.literal) > magnitude($1.literal) }
        guard let likeliest = suspects.first else { return nil }
        if let stillFails {
            for suspect in suspects.prefix(16) {
                var patched = bytes
                patched.replaceSubrange(suspect.offset..<(suspect.offset + suspect.literal.utf8.count), with: [UInt8(ascii: "0")])
                if !stillFails(Data(patched)) { return doesNotFit(suspect, in: bytes) }
            }
        }
        return doesNotFit(likeliest, in: bytes, certain: false)
    }

    private static func doesNotFit(_ number: JSONScan.Number, in bytes: [UInt8], certain: Bool = true) -> String {
        let key = number.path.isEmpty ? "the top level" : number.path
        return (certain ? "at \(key): " : "probably at \(key): ")
            + "the number \(number.literal) does not fit the value this key holds (\(position(number.offset, in: bytes)))"
    }

    /// "byte N (line L, column C)", all counted from 1 but the byte offset, which counts from 0.
    static func position(_ offset: Int, in bytes: [UInt8]) -> String {
        let before = bytes.prefix(offset)
        let line = before.count(where: { $0 == 0x0A }) + 1
        let column = offset - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
        return "byte \(offset) (line \(line), column \(column))"
    }

    /// How far a literal is from fitting: its absolute value, infinite when it overflows a Double.
    private static func magnitude(_ literal: String) -> Double {
        abs(Double(literal) ?? .infinity)
    }
}
