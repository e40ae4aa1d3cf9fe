import ArgumentParser
import Foundation
import QuenchFiles
import QuenchRegistryClient
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

            With --registry URL (or QUENCH_REGISTRY_URL when --key is absent), the key is the one this client \
            pinned for that registry server the first time it talked to it (or QUENCH_REGISTRY_PUBLIC_KEY), \
            never one the server hands over now.

            Examples:
              quench verify runs/smollm2-lora
              quench verify runs/smollm2-lora --key ./release-keys/signing.pub --json
              quench verify ./downloaded/support-bot-3 --registry https://registry.example.org:8443
            """)

    @Argument(help: ArgumentHelp("The model directory to verify.", valueName: "dir"))
    var directory: String

    @Option(help: ArgumentHelp("Public key (PEM). Default: $QUENCH_HOME/keys/signing.pub.", valueName: "path"))
    var key: String?

    @Option(help: ArgumentHelp("Check with the key pinned for this registry server.", valueName: "url"))
    var registry: String?

    @Flag(help: "Print the verified manifest as JSON.")
    var json = false

    func run() throws {
        let folder = URL(fileURLWithPath: directory)
        let manifest: SignedManifest
        if let key {
            manifest = try ModelSigning.verify(directory: folder, publicKeyFile: URL(fileURLWithPath: key))
        } else if let server = RegistryURL.configured(explicit: registry, environment: ProcessInfo.processInfo.environment) {
            let pinned = try AuditWitness.forRegistry(try RemoteRegistry.checkedURL(server), environment: ProcessInfo.processInfo.environment).pinnedKey()
            manifest = try ModelSigning.verify(directory: folder, publicKey: pinned)
        } else {
            manifest = try ModelSigning.verify(directory: folder, publicKeyFile: QuenchHome.resolve().signingPublicKey)
        }
        if json {
            try printJSON(manifest)
        } else {
            print("verified \(manifest.files.count) files of \(manifest.modelName) (sha256 \(manifest.rootDigest))")
        }
    }
}
