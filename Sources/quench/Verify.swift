import ArgumentParser
import Foundation
import QuenchFiles
import QuenchSecurity

/// `quench verify`: checks a model directory against its `model.sig`.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify DIR/model.sig and that no file of DIR was modified, added or removed since signing.",
        discussion: """
            Checks the signature with the public key, then hashes the directory and compares it with the signed \
            file list. Exits non-zero naming the first file that differs. Accepts signatures from \
            `quench sign` and from `model_signing sign key`.

            Examples:
              quench verify runs/smollm2-lora
              quench verify runs/smollm2-lora --key ./release-keys/signing.pub --json
            """)

    @Argument(help: ArgumentHelp("The model directory to verify.", valueName: "dir"))
    var directory: String

    @Option(help: ArgumentHelp("Public key (PEM). Default: $QUENCH_HOME/keys/signing.pub.", valueName: "path"))
    var key: String?

    @Flag(help: "Print the verified manifest as JSON.")
    var json = false

    func run() throws {
        let keyURL = key.map { URL(fileURLWithPath: $0) }
            ?? QuenchHome.resolve().signingPublicKey
        let manifest = try ModelSigning.verify(directory: URL(fileURLWithPath: directory), publicKeyFile: keyURL)
        if json {
            try printJSON(manifest)
        } else {
            print("verified \(manifest.files.count) files of \(manifest.modelName) (sha256 \(manifest.rootDigest))")
        }
    }
}
