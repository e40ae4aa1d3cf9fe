import Foundation

/// What to fetch from a revision listing: names validated, the file policy applied, pins checked
/// against the hub's hashes before a byte is downloaded.
struct SnapshotPlan {
    let commit: String
    let files: [PlannedFile]
    let refused: [String]

    /// Plans the download; a file declared larger than `maxFileSize` bytes is refused before any byte is fetched.
    init(listing: RevisionListing, repo: String, pins: [String: String], policy: FilePolicy,
         maxFileSize: Int64 = HubConfiguration.defaultMaxFileSize) throws {
        let source = "revision listing of \(repo)"
        guard HexDigest.isValid(listing.sha.lowercased(), length: 40) else {
            throw HubError.malformedResponse(url: source, reason: "commit '\(listing.sha.prefix(80))' is not a 40-digit hex hash")
        }
        commit = listing.sha.lowercased()
        var seen = Set<String>()
        for sibling in listing.siblings {
            if let reason = FilePolicy.unsafeReason(sibling.rfilename) {
                throw HubError.unsafeFileName(name: String(sibling.rfilename.prefix(200)), reason: reason)
            }
            guard seen.insert(sibling.rfilename).inserted else {
                throw HubError.malformedResponse(url: source, reason: "\(sibling.rfilename) is listed twice")
            }
        }
        var files: [PlannedFile] = []
        var refused: [String] = []
        for sibling in listing.siblings {
            switch policy.decide(sibling.rfilename) {
            case .refuse: refused.append(sibling.rfilename)
            case .skip: continue
            case .fetch:
                let file = try Self.plan(sibling, pin: pins[sibling.rfilename], source: source)
                guard file.size <= maxFileSize else {
                    throw HubError.malformedResponse(
                        url: source, reason: "\(file.path) declares \(file.size) bytes, more than the \(maxFileSize) allowed for one file; "
                            + "refusing before downloading (exclude the file, or raise limits.max_file_gib in the hub settings if it is genuine)")
                }
                files.append(file)
            }
        }
        for path in pins.keys.sorted() where !files.contains(where: { $0.path == path }) {
            throw HubError.pinnedFileMissing(file: path, repo: repo)
        }
        guard !files.isEmpty else { throw HubError.nothingToFetch(repo: repo, refused: refused) }
        self.files = files
        self.refused = refused
    }

    private static func plan(_ sibling: RevisionListing.Sibling, pin: String?, source: String) throws -> PlannedFile {
        let path = sibling.rfilename
        if let pin, !HexDigest.isValid(pin, length: 64) {
            throw HubError.malformedResponse(url: "the job's pins", reason: "the pin for \(path) is not a sha256 hex digest")
        }
        if let lfs = sibling.lfs {
            let sha256 = lfs.sha256.lowercased()
            guard HexDigest.isValid(sha256, length: 64), lfs.size >= 0 else {
                throw HubError.malformedResponse(url: source, reason: "\(path) has an invalid LFS sha256 or size")
            }
            if let pin, pin != sha256 { throw HubError.pinMismatch(file: path, pinned: pin, hub: sha256) }
            return PlannedFile(path: path, size: lfs.size, lfsSHA256: sha256, gitSHA1: nil, pin: pin)
        }
        guard let size = sibling.size, size >= 0, let blobId = sibling.blobId?.lowercased(), HexDigest.isValid(blobId, length: 40) else {
            throw HubError.malformedResponse(url: source, reason: "\(path) has no size or git blob id (was ?blobs=true honoured?)")
        }
        return PlannedFile(path: path, size: size, lfsSHA256: nil, gitSHA1: blobId, pin: pin)
    }
}

/// Flags a `config.json` that declares `auto_map`: remote code a Python tool would run with
/// `trust_remote_code`. Quench never runs it, but the user should know.
enum RemoteCodeCheck {
    static func warnings(files: [SnapshotFile], directory: URL) -> [String] {
        files.filter { ($0.path as NSString).lastPathComponent == "config.json" && $0.size <= 16 << 20 }.compactMap { file in
            guard let data = try? Data(contentsOf: directory.appendingPathComponent(file.path)),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  object["auto_map"] != nil
            else { return nil }
            return "\(file.path) declares auto_map (remote code); Quench never runs it, but Python tools with trust_remote_code=True would"
        }
    }
}
