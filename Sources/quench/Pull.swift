import ArgumentParser
import Foundation
import QuenchFiles
import QuenchHub
import QuenchSecurity

/// `quench pull`: download a model snapshot into the shared Hugging Face cache, verifying every byte.
struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download a model from a Hugging Face-compatible hub into the shared cache, verifying every file.",
        discussion: """
            Example: quench pull HuggingFaceTB/SmolLM2-135M-Instruct@main --include '*.safetensors' --include '*.json'

            The revision is resolved to a commit once and every file is fetched at that commit. By default only \
            *.safetensors, *.gguf, *.json, tokenizer.model, *.txt and *.md are fetched; pickle (.bin, .pt, .pth, .pkl, \
            .ckpt) and code (.py) files are always refused. The token comes from HF_TOKEN, the token file \
            (HF_TOKEN_PATH, $HF_HOME/token, ~/.cache/huggingface/token; mode 600) or token_command in the config, \
            never from the command line. HF_HUB_OFFLINE=1 resolves from the cache only.
            """)

    @Argument(help: ArgumentHelp("The repository, as org/name or org/name@revision.", valueName: "repo"))
    var repository: String

    @Option(name: .customLong("include"), help: ArgumentHelp("Fetch only paths matching this pattern (repeatable; replaces the default types).", valueName: "pattern"))
    var include: [String] = []

    @Option(name: .customLong("exclude"), help: ArgumentHelp("Skip paths matching this pattern (repeatable).", valueName: "pattern"))
    var exclude: [String] = []

    @Option(help: ArgumentHelp("The hub configuration. Default: $QUENCH_HUB_CONFIG, else configs/hub.yaml when present, else the public hub.", valueName: "file"))
    var config: String?

    @Flag(help: "Print the snapshot as JSON on standard output (progress goes to standard error).")
    var json = false

    func run() async throws {
        let repo = try RepositoryID(parsing: repository)
        let configuration = try HubConfiguration.load(from: HubConfiguration.settingsFile(explicit: config))
        let downloader = HubDownloader(configuration: configuration) { update in
            StandardStream.error.write(ProgressLine.render(update))
        }
        let snapshot = try await downloader.snapshot(repo: repo.id, revision: repo.revision,
                                                     allowPatterns: include.isEmpty ? nil : include,
                                                     ignorePatterns: exclude.isEmpty ? nil : exclude)
        StandardStream.error.write("\n")
        if json { return try printJSON(snapshot) }
        let total = snapshot.files.reduce(Int64(0)) { $0 + $1.size }
        print("\(snapshot.repo)@\(snapshot.revision) -> commit \(snapshot.commit): \(snapshot.files.count) files, \(ProgressLine.bytes(total)), all verified")
        for file in snapshot.files {
            let source = file.reusedFromCache ? "cached" : "downloaded"
            print("  \(file.path)  \(ProgressLine.bytes(file.size))  sha256 \(file.sha256.prefix(16))…  \(source), checked against \(file.verifiedAgainst.joined(separator: ", "))")
        }
        if !snapshot.refused.isEmpty { print("refused (pickle or code): \(snapshot.refused.joined(separator: ", "))") }
        for warning in snapshot.warnings { print("warning: \(warning)") }
        print("snapshot: \(snapshot.directory.path)")
        print("manifest: \(snapshot.manifest.path)")
    }
}

/// The one-line progress bar: bytes, rate, ETA, current file.
enum ProgressLine {
    static func render(_ update: DownloadProgress) -> String {
        let fraction = update.totalSize > 0 ? Double(update.totalBytes) / Double(update.totalSize) : 1
        let filled = Int((fraction * 24).rounded(.down))
        let rate = update.elapsedSeconds > 0 ? Double(update.totalBytes) / update.elapsedSeconds : 0
        let eta = rate > 0 ? Int((Double(update.totalSize - update.totalBytes) / rate).rounded(.up)) : 0
        return "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 24 - filled) + "] "
            + "\(Int(fraction * 100))%  \(bytes(update.totalBytes))/\(bytes(update.totalSize))  \(bytes(Int64(rate)))/s  ETA \(eta)s  \(update.file)\u{1b}[K"
    }

    static func bytes(_ count: Int64) -> String {
        count >= 1_000_000 ? String(format: "%.1f MB", Double(count) / 1e6) : String(format: "%.1f kB", Double(count) / 1e3)
    }
}
