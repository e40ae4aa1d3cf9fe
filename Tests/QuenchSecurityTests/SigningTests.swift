import Crypto
import Foundation
import QuenchSecurity
import Testing

/// A scratch model directory under the temporary directory, removed by `remove()`.
struct SigningScratch {
    let root: URL
    var model: URL { root.appendingPathComponent("tiny-model") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("quench-signing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("tiny-model/tokenizer"), withIntermediateDirectories: true)
        try write("config.json", #"{"hidden_size": 8}"#)
        try write("model.safetensors", String(repeating: "weights", count: 40_000))
        try write("tokenizer/tokenizer.json", #"{"model": {"type": "BPE"}}"#)
        try write(".hidden-notes", "dotfiles are signed too")
        try FileManager.default.createDirectory(at: model.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try write(".git/HEAD", "ref: refs/heads/main")
    }

    func write(_ relativePath: String, _ text: String) throws {
        try Data(text.utf8).write(to: model.appendingPathComponent(relativePath))
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite struct SigningTests {
    @Test func signedDirectoryVerifiesAndListsEveryFileButGitAndTheSignature() throws {
        let scratch = try SigningScratch()
        defer { scratch.remove() }
        let key = SigningKeys.generate()
        let signed = try ModelSigning.sign(directory: scratch.model, privateKey: key)
        #expect(signed.modelName == "tiny-model")
        #expect(signed.files.map(\.path) == [".hidden-notes", "config.json", "model.safetensors", "tokenizer/tokenizer.json"])
        #expect(signed.files[1].sha256 == FileDigest.sha256(of: Data(#"{"hidden_size": 8}"#.utf8)))
        let verified = try ModelSigning.verify(directory: scratch.model, publicKey: key.publicKey)
        #expect(verified == signed)
        // Signing again replaces model.sig (which is never part of its own manifest).
        let again = try ModelSigning.sign(directory: scratch.model, privateKey: key, modelName: "renamed")
        #expect(again.files == signed.files && again.rootDigest == signed.rootDigest && again.modelName == "renamed")
    }

    @Test func modifiedAddedAndRemovedFilesAreNamed() throws {
        let scratch = try SigningScratch()
        defer { scratch.remove() }
        let key = SigningKeys.generate()
        try ModelSigning.sign(directory: scratch.model, privateKey: key)

        try scratch.write("config.json", #"{"hidden_size": 9}"#)
        #expect {
            try ModelSigning.verify(directory: scratch.model, publicKey: key.publicKey)
        } throws: { error in
            guard case SigningError.fileModified(let path, _, _)? = error as? SigningError else { return false }
            return path == "config.json"
        }
        try scratch.write("config.json", #"{"hidden_size": 8}"#)
        try ModelSigning.verify(directory: scratch.model, publicKey: key.publicKey)

        try scratch.write("tokenizer/extra.txt", "smuggled")
        #expect(throws: SigningError.fileAdded(path: "tokenizer/extra.txt")) {
            try ModelSigning.verify(directory: scratch.model, publicKey: key.publicKey)
        }
        try FileManager.default.removeItem(at: scratch.model.appendingPathComponent("tokenizer/extra.txt"))

        try FileManager.default.removeItem(at: scratch.model.appendingPathComponent("model.safetensors"))
        #expect(throws: SigningError.fileRemoved(path: "model.safetensors")) {
            try ModelSigning.verify(directory: scratch.model, publicKey: key.publicKey)
        }
    }

    @Test func anotherKeyOrATamperedSignatureIsRefused() throws {
        let scratch = try SigningScratch()
        defer { scratch.remove() }
        let key = SigningKeys.generate()
        try ModelSigning.sign(directory: scratch.model, privateKey: key)
        let other = SigningKeys.generate()
        #expect {
            try ModelSigning.verify(directory: scratch.model, publicKey: other.publicKey)
        } throws: { error in
            guard case SigningError.keyMismatch? = error as? SigningError else { return false }
            return true
        }

        // Swap the payload for one listing a different digest: the signature no longer matches.
        let signatureURL = scratch.model.appendingPathComponent("model.sig")
        var bundle = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: signatureURL)) as? [String: Any])
        var envelope = try #require(bundle["dsseEnvelope"] as? [String: Any])
        let encodedPayload = try #require(envelope["payload"] as? String)
        let payload = try #require(Data(base64Encoded: encodedPayload))
        let forged = String(decoding: payload, as: UTF8.self)
            .replacingOccurrences(of: FileDigest.sha256(of: Data(#"{"hidden_size": 8}"#.utf8)), with: String(repeating: "0", count: 64))
        envelope["payload"] = Data(forged.utf8).base64EncodedString()
        bundle["dsseEnvelope"] = envelope
        try JSONSerialization.data(withJSONObject: bundle).write(to: signatureURL)
        #expect(throws: SigningError.badSignature(path: signatureURL.path)) {
            try ModelSigning.verify(directory: scratch.model, publicKey: key.publicKey)
        }

        try Data("{not json".utf8).write(to: signatureURL)
        #expect {
            try ModelSigning.verify(directory: scratch.model, publicKey: key.publicKey)
        } throws: { error in
            guard case SigningError.malformedSignature? = error as? SigningError else { return false }
            return true
        }
        try FileManager.default.removeItem(at: signatureURL)
        #expect(throws: SigningError.signatureMissing(path: signatureURL.path)) {
            try ModelSigning.verify(directory: scratch.model, publicKey: key.publicKey)
        }
    }

    @Test func symlinksAreRefusedLikeModelSigningDoes() throws {
        let scratch = try SigningScratch()
        defer { scratch.remove() }
        let link = scratch.model.appendingPathComponent("linked.json")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc/hostname")
        #expect(throws: SigningError.symlinkRefused(path: link.path)) {
            try ModelSigning.sign(directory: scratch.model, privateKey: SigningKeys.generate())
        }
        #expect(throws: SigningError.notADirectory(path: scratch.model.appendingPathComponent("config.json").path)) {
            try ModelSigning.sign(directory: scratch.model.appendingPathComponent("config.json"), privateKey: SigningKeys.generate())
        }
    }

    @Test func keysRoundTripAsPEMWithAPrivateFileMode() throws {
        let scratch = try SigningScratch()
        defer { scratch.remove() }
        let keys = scratch.root.appendingPathComponent("keys")
        let pair = try SigningKeys.createKeyPair(in: keys)
        let attributes = try FileManager.default.attributesOfItem(atPath: pair.privateKeyPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let privateText = try String(contentsOfFile: pair.privateKeyPath, encoding: .utf8)
        #expect(privateText.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let publicText = try String(contentsOfFile: pair.publicKeyPath, encoding: .utf8)
        #expect(publicText.hasPrefix("-----BEGIN PUBLIC KEY-----\n") && publicText.hasSuffix("-----END PUBLIC KEY-----\n"))
        #expect(FileDigest.sha256(of: Data(publicText.utf8)) == pair.fingerprint)

        let privateKey = try SigningKeys.loadPrivateKey(from: URL(fileURLWithPath: pair.privateKeyPath))
        let publicKey = try SigningKeys.loadPublicKey(from: URL(fileURLWithPath: pair.publicKeyPath))
        #expect(privateKey.publicKey.rawRepresentation == publicKey.rawRepresentation)

        #expect(throws: SigningError.keyFileExists(path: pair.privateKeyPath)) {
            try SigningKeys.createKeyPair(in: keys)
        }
        #expect(try SigningKeys.loadPrivateKey(from: URL(fileURLWithPath: pair.privateKeyPath)).rawRepresentation
            == privateKey.rawRepresentation)
        let replaced = try SigningKeys.createKeyPair(in: keys, overwrite: true)
        #expect(replaced.fingerprint != pair.fingerprint)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: pair.privateKeyPath)
        #expect(throws: SigningError.keyFileTooOpen(path: pair.privateKeyPath, mode: "644")) {
            try SigningKeys.loadPrivateKey(from: URL(fileURLWithPath: pair.privateKeyPath))
        }
        #expect(SigningError.keyFileTooOpen(path: "k", mode: "644").description.contains("chmod 600 k"))

        let missing = scratch.root.appendingPathComponent("absent.key")
        #expect(throws: SigningError.keyFileMissing(path: missing.path)) { try SigningKeys.loadPrivateKey(from: missing) }

        let garbage = scratch.root.appendingPathComponent("garbage.pub")
        try Data("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".utf8).write(to: garbage)
        #expect {
            try SigningKeys.loadPublicKey(from: garbage)
        } throws: { error in
            guard case SigningError.invalidKey? = error as? SigningError else { return false }
            return true
        }
    }
}
