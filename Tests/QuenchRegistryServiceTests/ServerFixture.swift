import Foundation
import QuenchSecurity
import QuenchTestSupport

/// A registry server in a throwaway home with one user per role, and gated candidates to upload.
final class ServerFixture {
    let directory: TemporaryDirectory
    let home: URL
    let server: RegistryServerProcess
    /// Tokens by user: trainer-t (trainer), approver-a and approver-b (approver), both-c (trainer and
    /// approver), admin-z (admin).
    let tokens: [String: String]

    /// Users created before the server starts, and their roles.
    static let users: [String: [String]] = [
        "trainer-t": ["trainer"], "approver-a": ["approver"], "approver-b": ["approver"],
        "both-c": ["trainer", "approver"], "admin-z": ["admin"],
    ]

    /// A server with `serverArguments`, storing its records in `database` when given (else SQLite in its home).
    init(serverArguments: [String] = [], database: PostgresServer? = nil) throws {
        directory = try TemporaryDirectory("server")
        home = directory.url.appendingPathComponent("home")
        let storeArguments = database.map { ["--database", $0.url, "--database-password-file", $0.passwordFile.path] } ?? []
        var tokens: [String: String] = [:]
        for (name, roles) in Self.users.sorted(by: { $0.key < $1.key }) {
            tokens[name] = try RegistryServerProcess.addUser(name, roles: roles, home: home, arguments: storeArguments)
        }
        self.tokens = tokens
        server = try RegistryServerProcess(home: home, arguments: serverArguments + storeArguments)
    }

    /// A client acting as `user` (nil: no token).
    func client(as user: String?) -> ServerClient {
        ServerClient(base: server.url, token: user.flatMap { tokens[$0] }, scratch: directory.url)
    }

    /// Writes a fresh gated candidate trained by `trainer` (recorded in its lineage) on `datasetPath`, with
    /// `trainingCurve` in its lineage when not empty.
    func candidate(trainedBy trainer: String? = nil, datasetPath: String = "data/train.jsonl",
                   trainingCurve: [(step: Int, loss: Double, validationLoss: Double?)] = []) throws -> GatedCandidate {
        try GatedCandidate(in: directory.url, trainedBy: trainer, datasetPath: datasetPath, trainingCurve: trainingCurve,
                           sha256: FileDigest.sha256(of:))
    }

    /// Uploads `candidate` as `user` and registers it as `name`; returns the answer of the registration.
    func register(_ candidate: GatedCandidate, name: String = "support-bot", as user: String = "trainer-t") throws -> APIAnswer {
        let id = try upload(candidate, as: user)
        return try client(as: user).send("POST", "/v1/models/\(name)/versions", json: try candidate.registration(upload: id))
    }

    /// Uploads the files of `candidate` as `user`; returns the upload's id.
    func upload(_ candidate: GatedCandidate, as user: String = "trainer-t") throws -> String {
        let client = client(as: user)
        let created = try client.send("POST", "/v1/uploads")
        guard created.status == 201, let id = created.object["id"] as? String else {
            throw TestSetupError.command("POST /v1/uploads answered \(created.status): \(created.text)")
        }
        for (path, url) in candidate.files.sorted(by: { $0.key < $1.key }) {
            let put = try client.send("PUT", "/v1/uploads/\(id)/files/\(path)", file: url,
                                      headers: ["X-Quench-SHA256": try FileDigest.sha256(of: url)])
            guard put.status == 201 else { throw TestSetupError.command("PUT \(path) answered \(put.status): \(put.text)") }
        }
        return id
    }
}

extension GatedCandidate {
    /// The body of POST /v1/models/{name}/versions for upload `id`.
    func registration(upload id: String) throws -> String {
        let body: [String: Any] = ["upload": id, "gate_report": gateReport, "lineage": lineage]
        return String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
    }
}
