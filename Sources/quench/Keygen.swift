import ArgumentParser
import Foundation
import QuenchFiles
import QuenchSecurity

/// `quench keygen`: a new ECDSA P-256 key pair for signing model directories.
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an ECDSA P-256 key pair for `quench sign` (signing.key, 0600) and `quench verify` (signing.pub).",
        discussion: """
            Writes signing.key (PKCS#8 PEM, readable by you only) and signing.pub (SubjectPublicKeyInfo PEM) \
            into --out, by default $QUENCH_HOME/keys (QUENCH_HOME defaults to ~/.local/share/quench). Both are \
            the PEM files OpenSSL and `model_signing sign key` / `verify key` use. An existing key is never \
            replaced unless --force is given. Prints the key fingerprint (the hint recorded in each model.sig).

            Examples:
              quench keygen
              quench keygen --out ./release-keys --json
            """)

    @Option(help: ArgumentHelp("Directory for signing.key and signing.pub (created 0700).", valueName: "dir"))
    var out: String?

    @Flag(help: "Replace an existing key pair (signatures made with the old key will no longer verify with the new one).")
    var force = false

    @Flag(help: "Print the key paths and fingerprint as JSON.")
    var json = false

    func run() throws {
        let directory = out.map { URL(fileURLWithPath: $0) } ?? QuenchHome.resolve().keys
        let pair = try SigningKeys.createKeyPair(in: directory, overwrite: force)
        if json {
            try printJSON(pair)
        } else {
            print("private key: \(pair.privateKeyPath) (keep it secret)")
            print("public key:  \(pair.publicKeyPath)")
            print("fingerprint: \(pair.fingerprint)")
        }
    }
}
