import Foundation
import QuenchSecurity
import Testing
import QuenchTestSupport

/// Quench's model.sig checked against the reference implementation, PyPI `model-signing` 1.1.1
/// (scripts/install-python-tools.sh), in both directions, and Quench's key files against OpenSSL.
@Suite struct SigningInteropTests {
    /// Runs a program found on PATH; status 127 means it is not installed.
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try ProcessRunner.run("/usr/bin/env", arguments)
        return (result.status, result.output)
    }

    /// Cancels the calling test (reported as skipped) when the `model_signing` CLI is not installed.
    func requireModelSigning() throws {
        guard try run(["model_signing", "--help"]).status == 0 else {
            try Test.cancel("`model_signing` is not on PATH; run scripts/install-python-tools.sh")
        }
    }

    func pythonVerify(_ model: URL, publicKey: String) throws -> (status: Int32, output: String) {
        try run([
            "model_signing", "verify", "key", "--public_key", publicKey,
            "--signature", model.appendingPathComponent("model.sig").path, model.path,
        ])
    }

    @Test func modelSigningVerifiesWhatQuenchSigns() throws {
        try requireModelSigning()
        let scratch = try SigningScratch()
        defer { scratch.remove() }
        let pair = try SigningKeys.createKeyPair(in: scratch.root.appendingPathComponent("keys"))
        try ModelSigning.sign(directory: scratch.model, privateKeyFile: URL(fileURLWithPath: pair.privateKeyPath))

        let accepted = try pythonVerify(scratch.model, publicKey: pair.publicKeyPath)
        #expect(accepted.status == 0, "\(accepted.output)")
        #expect(accepted.output.contains("Verification succeeded"))

        try scratch.write("tokenizer/tokenizer.json", #"{"model": {"type": "WordPiece"}}"#)
        let modified = try pythonVerify(scratch.model, publicKey: pair.publicKeyPath)
        #expect(modified.status != 0 && modified.output.contains("tokenizer/tokenizer.json"), "\(modified.output)")
        try scratch.write("tokenizer/tokenizer.json", #"{"model": {"type": "BPE"}}"#)
        #expect(try pythonVerify(scratch.model, publicKey: pair.publicKeyPath).status == 0)

        try scratch.write("added.bin", "not signed")
        let added = try pythonVerify(scratch.model, publicKey: pair.publicKeyPath)
        #expect(added.status != 0 && added.output.contains("added.bin"), "\(added.output)")
    }

    @Test func quenchVerifiesWhatModelSigningSigns() throws {
        try requireModelSigning()
        let scratch = try SigningScratch()
        defer { scratch.remove() }
        let pair = try SigningKeys.createKeyPair(in: scratch.root.appendingPathComponent("keys"))
        let signed = try run([
            "model_signing", "sign", "key", "--private_key", pair.privateKeyPath,
            "--signature", scratch.model.appendingPathComponent("model.sig").path, scratch.model.path,
        ])
        #expect(signed.status == 0, "\(signed.output)")

        let publicKey = URL(fileURLWithPath: pair.publicKeyPath)
        let manifest = try ModelSigning.verify(directory: scratch.model, publicKeyFile: publicKey)
        #expect(manifest.modelName == "tiny-model")
        #expect(manifest.files.map(\.path) == [".hidden-notes", "config.json", "model.safetensors", "tokenizer/tokenizer.json"])

        try scratch.write("model.safetensors", "swapped weights")
        #expect {
            try ModelSigning.verify(directory: scratch.model, publicKeyFile: publicKey)
        } throws: { error in
            guard case SigningError.fileModified(let path, _, _)? = error as? SigningError else { return false }
            return path == "model.safetensors"
        }
    }

    @Test func openSSLReadsQuenchKeysAndQuenchReadsOpenSSLKeys() throws {
        let scratch = try SigningScratch()
        defer { scratch.remove() }
        let pair = try SigningKeys.createKeyPair(in: scratch.root.appendingPathComponent("keys"))
        let derived = try run(["openssl", "pkey", "-in", pair.privateKeyPath, "-pubout"])
        guard derived.status != 127 else { try Test.cancel("openssl is not installed") }
        #expect(derived.status == 0, "\(derived.output)")
        // Byte-identical public PEM: the key hint model_signing computes from its own PEM matches Quench's.
        #expect(derived.output == (try String(contentsOfFile: pair.publicKeyPath, encoding: .utf8)))

        let sec1 = scratch.root.appendingPathComponent("sec1.key").path
        #expect(try run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", sec1]).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: sec1)
        let key = try SigningKeys.loadPrivateKey(from: URL(fileURLWithPath: sec1))
        try ModelSigning.sign(directory: scratch.model, privateKey: key)
        try ModelSigning.verify(directory: scratch.model, publicKey: key.publicKey)
    }
}
