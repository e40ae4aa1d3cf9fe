import Foundation
import QuenchFiles
import QuenchSecurity

/// Stage 7: signs the tuned artifacts in the OpenSSF model-signing format (`model.sig` beside them),
/// with the key in `$QUENCH_HOME/keys`; the first run on a machine creates that key pair.
struct SignStage: Stage {
    /// The signature and what it covers.
    struct Output: Codable, Sendable {
        let signature: String
        let sha256: String
        let files: Int
        /// The subject digest: one value naming the exact signed content.
        let rootDigest: String
        let publicKey: String
        let keyFingerprint: String
    }

    static let name = StageName.sign
    /// What training wrote, signed as it is.
    let train: TrainStage.Output
    /// The registry name the signature binds the artifacts to.
    let modelName: String
    /// Where the signing key pair is (and is created on the first signature).
    let home: QuenchHome

    func inputs() throws -> [String: String] {
        ["artifacts": train.files.map { "\($0.path)=\($0.sha256)" }.joined(separator: ";"),
         "name": modelName, "keys": home.keys.path]
    }

    func run(events: @escaping RunEvents) throws -> Output {
        let artifacts = URL(fileURLWithPath: train.artifacts)
        let privateKey = home.signingKey
        let publicKey = home.signingPublicKey
        if !FileManager.default.fileExists(atPath: privateKey.path) {
            let pair = try SigningKeys.createKeyPair(in: home.keys)
            events(.message("created the signing key pair \(pair.privateKeyPath) (first signature on this machine)"))
        }
        try ModelSigning.sign(directory: artifacts, privateKeyFile: privateKey, modelName: modelName)
        let manifest = try ModelSigning.verify(directory: artifacts, publicKeyFile: publicKey)
        let signature = artifacts.appendingPathComponent(ModelSigning.signatureFileName)
        return Output(signature: signature.path, sha256: try FileDigest.sha256(of: signature), files: manifest.files.count,
                      rootDigest: manifest.rootDigest, publicKey: publicKey.path,
                      keyFingerprint: SigningKeys.fingerprint(of: try SigningKeys.loadPublicKey(from: publicKey)))
    }

    static func summary(_ output: Output) -> String {
        "model.sig over \(output.files) file(s), key \(output.keyFingerprint.prefix(16))"
    }
}
