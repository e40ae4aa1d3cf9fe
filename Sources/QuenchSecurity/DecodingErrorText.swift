import Foundation

/// Plain words for a `DecodingError`: where in the document (key path, or line and column for text
/// that is not JSON) and what was wrong, instead of the nested dump Swift prints.
public enum DecodingErrorText {
    /// E.g. "at stages[0].status: cannot initialize Status from invalid String value 'done'".
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return FileErrorText.reason(error) }
        switch error {
        case .typeMismatch(let type, let context):
            return place(context) + "expected \(type): " + detail(context)
        case .valueNotFound(let type, let context):
            return place(context) + "missing \(type) value: " + detail(context)
        case .keyNotFound(let key, let context):
            return place(context) + "the key '\(key.stringValue)' is missing"
        case .dataCorrupted(let context):
            return place(context) + detail(context)
        @unknown default:
            return String(describing: error)
        }
    }

    /// "at a.b[2]: " for a non-empty coding path.
    private static func place(_ context: DecodingError.Context) -> String {
        var path = ""
        for key in context.codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return path.isEmpty ? "" : "at \(path): "
    }

    /// The context's own words, with the parser's (which carry the line and column) when it has them.
    private static func detail(_ context: DecodingError.Context) -> String {
        guard let underlying = context.underlyingError as NSError?,
              let parser = underlying.userInfo[NSDebugDescriptionErrorKey] as? String else { return context.debugDescription }
        return context.debugDescription + " (" + parser + ")"
    }
}
