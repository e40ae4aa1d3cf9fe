import Foundation
import QuenchFiles
import QuenchRegistry

/// Decodes request bodies refusing what Codable would silently drop: a key the type does not have.
///
/// The value is decoded, encoded again, and every key of the input (at any depth) must appear in the
/// re-encoding; a key holding null may be absent there (an optional left unset).
enum StrictJSON {
    /// The decoded value, or a 400 naming the syntax error, the wrong value or the unknown key.
    static func decode<T: Codable>(_ type: T.Type, from data: Data) throws -> T {
        let value: T
        let input: JSONValue
        do {
            value = try JSONCoding.decoder.decode(T.self, from: data)
            input = try JSONCoding.decoder.decode(JSONValue.self, from: data)
        } catch {
            throw APIError.badRequest("the request body is not valid: \(JSONErrorText.describe(error, in: data))")
        }
        let known = try JSONCoding.decoder.decode(JSONValue.self, from: try JSONCoding.lineEncoder.encode(value))
        if let key = unknownKey(in: input, known: known, path: "") {
            throw APIError.badRequest("unknown key '\(key)' in the request body")
        }
        return value
    }

    /// The path of the first key of `input` that `known` lacks.
    static func unknownKey(in input: JSONValue, known: JSONValue, path: String) -> String? {
        switch (input, known) {
        case (.object(let members), .object(let knownMembers)):
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                guard let knownMember = knownMembers[key] else {
                    if member == .null { continue }
                    return memberPath
                }
                if let found = unknownKey(in: member, known: knownMember, path: memberPath) { return found }
            }
            return nil
        case (.array(let items), .array(let knownItems)):
            for (index, (item, knownItem)) in zip(items, knownItems).enumerated() {
                if let found = unknownKey(in: item, known: knownItem, path: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}
