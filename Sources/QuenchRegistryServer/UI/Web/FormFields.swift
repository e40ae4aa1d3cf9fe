import Foundation
import Hummingbird

/// A strictly parsed `application/x-www-form-urlencoded` body: at most 64 KiB, valid escapes and UTF-8
/// only, every field at most once and only the fields the form has.
struct FormFields: Sendable, Equatable {
    /// The largest form body read, in bytes.
    static let maxBytes = 64 * 1024

    private let values: [String: String]

    /// Reads the body of `request`: 415 for another content type, 413 past `maxBytes`, 400 for a body
    /// `init(parsing:allowed:)` refuses.
    static func read(_ request: Request, context: RegistryRequestContext, allowed: Set<String>) async throws -> FormFields {
        let type = request.headers[.contentType] ?? ""
        let mediaType = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           message: "a form must be sent as application/x-www-form-urlencoded, not '\(type)'")
        }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= maxBytes else {
                throw APIError.payloadTooLarge("the form", limit: Int64(maxBytes))
            }
            context.record.received(buffer.readableBytes)
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return try FormFields(parsing: bytes, allowed: allowed)
    }

    /// The query of `request` (`?q=…`, `+` a space as a GET form sends it), parsed as strictly as a body.
    init(query request: Request, allowed: Set<String>) throws {
        try self.init(parsing: Array((request.uri.query ?? "").utf8), allowed: allowed)
    }

    /// Parses `body`: `name=value` pairs joined by `&`, `+` for a space, `%XX` escapes. Refused with 400,
    /// naming it, is a pair without `=`, a bad escape, invalid UTF-8, a field not in `allowed` or a
    /// repeated one. Empty pairs (`a=1&&b=2`) are skipped.
    init(parsing body: [UInt8], allowed: Set<String>) throws {
        var values: [String: String] = [:]
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else {
                throw APIError.badRequest("the form field '\(String(decoding: pair.prefix(64), as: UTF8.self))' has no '='")
            }
            let name = try Self.decode(pair[pair.startIndex..<equals], what: "a form field's name")
            guard allowed.contains(name) else {
                throw APIError.badRequest("the form has an unknown field '\(name)'; this form takes \(allowed.sorted().joined(separator: ", "))")
            }
            guard values[name] == nil else { throw APIError.badRequest("the form field '\(name)' is given more than once") }
            values[name] = try Self.decode(pair[pair.index(after: equals)...], what: "the form field '\(name)'")
        }
        self.values = values
    }

    /// The value of field `name`, nil when the form did not send it.
    subscript(name: String) -> String? { values[name] }

    /// `encoded` with `+` as a space and its `%XX` escapes decoded, as UTF-8.
    private static func decode(_ encoded: ArraySlice<UInt8>, what: String) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let byte = encoded[index]
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard encoded.endIndex - index >= 3,
                      let high = hexValue(encoded[index + 1]), let low = hexValue(encoded[index + 2])
                else {
                    throw APIError.badRequest("\(what) has a bad percent escape at byte \(index - encoded.startIndex)")
                }
                bytes.append(high << 4 | low)
                index += 3
            default:
                bytes.append(byte)
                index += 1
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw APIError.badRequest("\(what) is not valid UTF-8")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
