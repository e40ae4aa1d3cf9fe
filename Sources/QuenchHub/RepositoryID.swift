import Foundation

/// A model repository on the hub (`org/name`) and the revision asked for; parsed from `org/name[@rev]`.
public struct RepositoryID: Sendable, Equatable, CustomStringConvertible {
    public let id: String
    public let revision: String

    /// Parses `org/name` or `org/name@revision` (default revision `main`).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        try self.init(id: String(parts[0]), revision: parts.count > 1 ? String(parts[1]) : "main")
    }

    /// Checks both parts: an id of one or two safe segments, a revision that is a safe relative path.
    public init(id: String, revision: String) throws {
        let segments = id.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(segments.count) else { throw HubError.invalidRepository(repo: id, reason: "too many slashes") }
        for segment in segments {
            guard let first = segment.first, first.isLetter || first.isNumber, segment.count <= 96,
                  segment.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
                  !segment.contains("..")
            else { throw HubError.invalidRepository(repo: id, reason: "'\(segment)' must be letters, digits, '-', '_' or '.'") }
        }
        guard !revision.isEmpty, revision.count <= 255, FilePolicy.unsafeReason(revision) == nil else {
            throw HubError.invalidRepository(repo: "\(id)@\(revision)", reason: "the revision is empty or unsafe")
        }
        self.id = id
        self.revision = revision
    }

    public var description: String { "\(id)@\(revision)" }

    /// The cache folder name used by huggingface_hub: `models--org--name`.
    public var cacheFolderName: String { "models--" + id.replacingOccurrences(of: "/", with: "--") }
}

/// The hub's answer to `GET /api/models/{repo}/revision/{rev}?blobs=true` (the fields Quench reads).
struct RevisionListing: Decodable {
    struct Sibling: Decodable {
        struct LFS: Decodable {
            let sha256: String
            let size: Int64
        }
        let rfilename: String
        let size: Int64?
        let blobId: String?
        let lfs: LFS?
    }
    let sha: String
    let siblings: [Sibling]
}

/// URLs of the hub API, with every path segment percent-encoded.
enum HubPaths {
    static func revision(endpoint: URL, repo: RepositoryID) -> URL? {
        URL(string: "\(endpoint.absoluteString)/api/models/\(repo.id)/revision/\(encode(repo.revision))?blobs=true")
    }

    static func resolve(endpoint: URL, repo: String, commit: String, file: String) -> URL? {
        let path = file.split(separator: "/").map { encode(String($0)) }.joined(separator: "/")
        return URL(string: "\(endpoint.absoluteString)/\(repo)/resolve/\(commit)/\(path)")
    }

    private static func encode(_ segment: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}

/// Hex digests as the hub writes them.
enum HexDigest {
    static func isValid(_ text: String, length: Int) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// An ETag value without quotes or the weak prefix, lower-cased.
    static func unquote(_ etag: String?) -> String? {
        guard var value = etag?.trimmingCharacters(in: .whitespaces) else { return nil }
        if value.hasPrefix("W/") { value.removeFirst(2) }
        return value.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
    }
}
