import QuenchDispatch

/// Where a run's training ran when it was sent to a backend, for the report.
struct RemoteTrainingJob: Codable, Sendable {
    let backend: String
    let kind: String
    let job: String
    let remoteID: String
    let state: String
    let rawState: String
    let exitCode: Int32?

    init(_ record: JobRecord, status: JobStatus) {
        backend = record.settings.name
        kind = record.settings.kind.rawValue
        job = record.job.id
        remoteID = record.job.remoteID
        state = status.state.rawValue
        rawState = status.rawState
        exitCode = status.exitCode
    }

    /// One sentence for the reports' lineage.
    var lineage: String {
        "Trained on backend \(backend) (\(kind), job \(job), \(rawState)); its outputs matched their returned sha256 "
            + "manifest, and the evaluation and gate were computed here from them, not taken from the remote"
    }

    enum CodingKeys: String, CodingKey {
        case backend, kind, job, state
        case remoteID = "remote_id", rawState = "raw_state", exitCode = "exit_code"
    }
}
