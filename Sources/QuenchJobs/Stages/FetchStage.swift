import Foundation

/// Stage 1: makes the base model available on this machine and lists its files with their hashes.
struct FetchStage: Stage {
    /// Where the model came from and the files it is made of.
    struct Output: Codable, Sendable {
        /// `local` or `hub`.
        let source: String
        let repo: String?
        let revision: String?
        /// The commit a hub revision resolved to.
        let commit: String?
        /// What `ModelBundle.open` reads: a .gguf file or a Hugging Face directory.
        let location: String
        let files: [FileRecord]
    }

    static let name = StageName.fetch
    /// The spec's model source.
    let model: JobSpec.ModelSource

    func inputs() throws -> [String: String] {
        switch model {
        case .local(let path, _):
            return ["source": "local", "path": path, "stamp": FileRecord.stamp(path)]
        case .hub(let repo, let revision, _, let include):
            return ["source": "hub", "repo": repo, "revision": revision, "include": (include ?? []).joined(separator: ",")]
        }
    }

    func run(events: @escaping RunEvents) throws -> Output {
        switch model {
        case .local(let path, _):
            let url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RunError.unsupported("the model \(path) does not exist")
            }
            let files = isDirectory.boolValue ? try FileRecord.all(in: url) : [try FileRecord(url: url)]
            return Output(source: "local", repo: nil, revision: nil, commit: nil, location: path, files: files)
        case .hub(let repo, let revision, let pins, let include):
            return try HubFetch.snapshot(repo: repo, revision: revision, pins: pins, include: include, events: events)
        }
    }

    static func summary(_ output: Output) -> String {
        let bytes = output.files.reduce(0) { $0 + $1.size }
        let origin = output.commit.map { "\(output.repo ?? "")@\($0.prefix(12))" } ?? output.location
        return "\(output.files.count) file(s), \(ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file)) from \(origin)"
    }
}
