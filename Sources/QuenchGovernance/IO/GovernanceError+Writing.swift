import QuenchFiles

extension GovernanceError {
    /// The governance error for a failed atomic write: `.unwritable` naming the file and why.
    init(_ failure: AtomicFile.Failure) {
        self = .unwritable(path: failure.path, reason: failure.reason)
    }
}
