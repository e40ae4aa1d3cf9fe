import Foundation

/// The Hugging Face repository a model was downloaded from, read off its path in the hub cache
/// (`…/models--org--name/snapshots/<commit>/…`, the layout huggingface_hub and Quench share).
public enum HubModelID {
    /// `org/name` for a file or folder inside a hub cache snapshot, nil for any other path.
    public static func of(_ url: URL) -> String? {
        let parts = url.standardizedFileURL.pathComponents
        guard let snapshots = parts.lastIndex(of: "snapshots"), snapshots > 0, snapshots + 1 < parts.count else { return nil }
        let folder = parts[snapshots - 1]
        guard folder.hasPrefix(prefix) else { return nil }
        // huggingface_hub joins owner and name with "--", which neither may contain.
        let id = folder.dropFirst(prefix.count).components(separatedBy: "--")
        guard (1...2).contains(id.count), id.allSatisfy({ !$0.isEmpty }) else { return nil }
        return id.joined(separator: "/")
    }

    private static let prefix = "models--"
}
