import Foundation
import QuenchFiles
import QuenchRegistry

/// `HOME/uploads/`: artifacts a client is sending for one registration, one folder per upload.
///
/// `<id>/owner.json` names the identity that created it (only it may add files or register from it),
/// `<id>/files/` holds the files under their relative paths. Registration claims an upload by renaming
/// it, so two requests can never register from the same one.
struct UploadArea: Sendable {
    /// Who created an upload and when.
    struct Owner: Codable {
        var identity: String
        var createdAt: String

        enum CodingKeys: String, CodingKey { case identity, createdAt = "created_at" }
    }

    let root: URL

    init(home: URL) {
        root = home.appendingPathComponent("uploads")
    }

    /// A fresh upload owned by `identity`; returns its id.
    func create(owner identity: String) throws -> String {
        let id = UUID().uuidString.lowercased()
        let folder = root.appendingPathComponent(id)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("files"), withIntermediateDirectories: true)
        try AtomicFile.writeJSON(Owner(identity: identity, createdAt: Date().ISO8601Format()), to: folder.appendingPathComponent("owner.json"))
        return id
    }

    /// The folder of upload `id`, which `identity` must own; 404 for an unknown id (or one owned by
    /// someone else: another identity's uploads are not even confirmed to exist).
    func folder(_ id: String, ownedBy identity: String) throws -> URL {
        guard let parsed = UUID(uuidString: id), parsed.uuidString.lowercased() == id else {
            throw APIError.notFound("no upload \(id); create one with POST /v1/uploads")
        }
        let folder = root.appendingPathComponent(id)
        guard let data = try? RegularFile.contents(of: folder.appendingPathComponent("owner.json").path, limit: 1 << 16),
              let owner = try? JSONCoding.decoder.decode(Owner.self, from: data), owner.identity == identity else {
            throw APIError.notFound("no upload \(id) of \(identity); create one with POST /v1/uploads")
        }
        return folder
    }

    /// Takes upload `id` away for one registration: the returned folder is no longer an upload, and
    /// the caller removes it when done.
    func claim(_ id: String, by identity: String) throws -> URL {
        let folder = try folder(id, ownedBy: identity)
        let claimed = root.appendingPathComponent(".registering-\(id)")
        guard rename(folder.path, claimed.path) == 0 else {
            throw APIError.notFound("no upload \(id) of \(identity): it is being registered or was already used")
        }
        return claimed
    }

    /// Removes uploads (and abandoned claims) last changed more than `age` seconds ago.
    func removeStale(olderThan age: TimeInterval, now: Date = Date()) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        for name in names {
            let folder = root.appendingPathComponent(name)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: folder.path))?[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) > age else { continue }
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// The file path of an upload request, which must not be the signature file the server writes itself.
    static func uploadPath(_ components: [Substring]) throws -> String {
        let path = try ArtifactPath.decode(components)
        guard path != OpenSSFSigner.signatureFileName else {
            throw APIError.badRequest("file path '\(path)' is the signature the server writes at registration; do not upload it")
        }
        return path
    }
}
