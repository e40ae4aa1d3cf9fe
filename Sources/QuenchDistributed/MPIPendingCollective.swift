#if canImport(Glibc)
import Glibc
#endif

/// The MPI requests of one started collective, finished by testing them until they complete or the
/// deadline passes.
///
/// Open MPI moves a non-blocking collective forward only inside MPI calls, so waiting tests the
/// requests in a loop that yields the core between tests, as `MPI_Wait` does; sleeping between
/// tests would stall a large transfer that needs many rounds.
final class MPIPendingCollective: PendingCollective {
    private let library: MPILibrary
    private let rank: Int
    private let operation: Collective
    private let timeout: CollectiveTimeout
    private let deadline: ContinuousClock.Instant
    private var requests: [OpaquePointer?] = []
    /// Requests before this index have finished.
    private var finished = 0

    /// A collective with no requests yet; its deadline runs from now.
    init(library: MPILibrary, rank: Int, operation: Collective, timeout: CollectiveTimeout) {
        self.library = library
        self.rank = rank
        self.operation = operation
        self.timeout = timeout
        deadline = ContinuousClock.now.advanced(by: .seconds(timeout.seconds))
    }

    /// Starts one MPI call that fills in its request.
    func start(_ call: (UnsafeMutablePointer<OpaquePointer?>) -> Int32) throws(DistributedError) {
        var request: OpaquePointer?
        try check(call(&request))
        requests.append(request)
    }

    func poll() throws(DistributedError) -> Bool {
        while finished < requests.count {
            var done: Int32 = 0
            try check(library.test(&requests[finished], &done, nil))
            guard done != 0 else { return false }
            finished += 1
        }
        return true
    }

    func wait() throws(DistributedError) {
        while try !poll() {
            guard ContinuousClock.now < deadline else {
                throw .timedOut(operation: operation.description, rank: rank, seconds: timeout.seconds)
            }
            sched_yield()
        }
    }

    /// Throws the MPI error `code` stands for, unless it is success.
    private func check(_ code: Int32) throws(DistributedError) {
        guard code != MPILibrary.success else { return }
        throw .collectiveFailed(operation: operation.description, rank: rank, code: code, message: library.message(for: code))
    }
}
