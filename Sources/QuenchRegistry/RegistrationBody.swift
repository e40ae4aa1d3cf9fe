/// The JSON body of POST /v1/models/{name}/versions: the client sends it, the server decodes it strictly.
public struct RegistrationBody: Codable, Sendable, Equatable {
    /// The id of the upload holding the artifact files.
    public var upload: String
    /// The exact text of the gate report the client's evaluation wrote.
    public var gateReport: String
    public var lineage: Lineage
    /// Paths inside the upload to register; nil registers every uploaded file.
    public var files: [String]?

    enum CodingKeys: String, CodingKey { case upload, gateReport = "gate_report", lineage, files }

    public init(upload: String, gateReport: String, lineage: Lineage, files: [String]?) {
        self.upload = upload
        self.gateReport = gateReport
        self.lineage = lineage
        self.files = files
    }
}
