import ArgumentParser
import Foundation
import QuenchFiles
import QuenchSecurity

/// `quench sign`: writes an OpenSSF model-signing `model.sig` into a model directory.
struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign every file of a model directory into DIR/model.sig (OpenSSF model-signing v1.0).",
        discussion: """
            Hashes every regular file (SHA-256; .git, .gitattributes, .github, .gitignore and model.sig are left \
            out, as model_signing does) and writes a Sigstore bundle with a DSSE-signed in-toto statement to \
            DIR/model.sig. Symbolic links are refused. `model_signing verify key` accepts the result.

            Examples:
              quench sign runs/smollm2-lora
              quench sign runs/smollm2-lora --key ./release-keys/signing.key --name smollm2-lora-v3 --json
              model_signing verify key --public_key ~/.local/share/quench/keys/signing.pub \\
                  --signature runs/smollm2-lora/model.sig runs/smollm2-lora
            """)

    @Argument(help: ArgumentHelp("The model directory to sign.", valueName: "dir"))
    var directory: String

    @Option(help: ArgumentHelp("Private key (PEM, mode 0600). Default: $QUENCH_HOME/keys/signing.key.", valueName: "path"))
    var key: String?

    @Option(help: ArgumentHelp("Model name recorded in the signature. Default: the directory's name.", valueName: "name"))
    var name: String?

    @Flag(help: "Print the signed manifest as JSON.")
    var json = false

    func run() throws {
        let keyURL = key.map { URL(fileURLWithPath: $0) }
            ?? QuenchHome.resolve().signingKey
        let model = URL(fileURLWithPath: directory)
        let manifest = try ModelSigning.sign(directory: model, privateKeyFile: keyURL, modelName: name)
        if json {
            try printJSON(manifest)
        } else {
            let signature = model.appendingPathComponent(ModelSigning.signatureFileName).path
            print("signed \(manifest.files.count) files of \(manifest.modelName) (sha256 \(manifest.rootDigest)) into \(signature)")
        }
    }
}
