import Foundation

/// Which files of a repository are fetched: server names are validated, pickle and code are refused,
/// and allow/ignore patterns filter the rest as in huggingface_hub (fnmatch on the whole path).
public struct FilePolicy: Sendable, Equatable {
    /// Fetched when no allow patterns are given: weights without code, configs, tokenizers, docs.
    public static let defaultAllowPatterns = ["*.safetensors", "*.gguf", "*.json", "tokenizer.model", "*/tokenizer.model", "*.txt", "*.md"]
    /// Never fetched, whatever the patterns say: pickles run code when loaded, and so does code.
    public static let refusedPatterns = ["*.bin", "*.pt", "*.pth", "*.pkl", "*.pickle", "*.ckpt", "*.py"]

    public var allowPatterns: [String]
    public var ignorePatterns: [String]

    /// `allowPatterns` replaces the default list when given; refused types stay refused.
    public init(allowPatterns: [String]? = nil, ignorePatterns: [String]? = nil) {
        self.allowPatterns = (allowPatterns ?? Self.defaultAllowPatterns).map(Self.normalise)
        self.ignorePatterns = (ignorePatterns ?? []).map(Self.normalise)
    }

    /// The outcome for one listed file.
    public enum Decision: Equatable, Sendable { case fetch, skip, refuse }

    /// Whether `path` is fetched, skipped (not asked for) or refused (pickle or code).
    public func decide(_ path: String) -> Decision {
        if Self.refusedPatterns.contains(where: { Self.matches($0, path) }) { return .refuse }
        guard allowPatterns.contains(where: { Self.matches($0, path) }) else { return .skip }
        return ignorePatterns.contains(where: { Self.matches($0, path) }) ? .skip : .fetch
    }

    /// Why a server-supplied name is unsafe as a relative path, or nil when it is safe.
    public static func unsafeReason(_ name: String) -> String? {
        if name.isEmpty { return "empty" }
        if name.utf8.count > 1024 { return "longer than 1024 bytes" }
        if name.hasPrefix("/") { return "absolute path" }
        if name.contains("\\") { return "backslash" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { return "control character" }
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: { $0 == ".." }) { return "'..' segment" }
        if segments.contains(where: { $0.isEmpty || $0 == "." }) { return "empty or '.' segment" }
        return nil
    }

    /// huggingface_hub treats `dir/` as `dir/*`.
    private static func normalise(_ pattern: String) -> String { pattern.hasSuffix("/") ? pattern + "*" : pattern }

    /// fnmatch without flags: `*` also crosses `/`, as Python's fnmatch does.
    static func matches(_ pattern: String, _ path: String) -> Bool { fnmatch(pattern, path, 0) == 0 }
}
