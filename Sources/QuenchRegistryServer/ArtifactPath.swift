import Foundation

/// The relative path of an artifact file as the URL carries it (`.../files/{path...}`).
enum ArtifactPath {
    /// The path with each component percent-decoded; 400 unless it is relative with no empty, `.` or
    /// `..` component (a decoded component may not hide a `/` or a NUL either).
    static func decode(_ components: [Substring]) throws -> String {
        var decoded: [String] = []
        for component in components {
            guard let text = component.removingPercentEncoding, !text.isEmpty, text != ".", text != "..",
                  !text.contains("/"), !text.contains("\u{0}") else {
                throw APIError.badRequest("file path '\(components.joined(separator: "/"))' must be relative, without empty, '.' or '..' components")
            }
            decoded.append(text)
        }
        guard !decoded.isEmpty else { throw APIError.badRequest("the file path is empty") }
        return decoded.joined(separator: "/")
    }
}
