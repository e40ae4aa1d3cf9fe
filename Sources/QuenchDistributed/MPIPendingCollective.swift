#if canImport(Glibc)
import Glibc
#endif

/// The MPI requests of one started collective, finished by testing them until they complete or the
/// deadline passes.
///
/// Open MPI moves a non-blocking collective forward only inside MPI calls, so waiting tests the
/// requests in a loop that yields the core between tests, as `MPI_Wait` does: a large transfer needs
/// many rounds. After `tightPolling` the wait is for another rank, not the network (rank 0 writing a
/// checkpoint, say), so it sleeps a millisecond between tests instead of burning a core for minutes.
final class MPIPendingCollective: PendingCollective {
    /// How long a wait tests without sleeping.
    static let tightPolling = Duration.seconds(1)
    /// The sleep between tests after that, in microseconds (1 ms): short against any transfer still running.
    static let backoffMicroseconds: UInt32 = 1_000

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
        let patient = ContinuousClock.now.advanced(by: Self.tightPolling)
        while try !poll() {
            let now = ContinuousClock.now
            guard now < deadline else {
                throw .timedOut(operation: operation.description, rank: rank, seconds: timeout.seconds)
            }
            if now < patient {
                sched_yield()
            } else {
                usleep(Self.backoffMicroseconds)
            }
        }
    }

    /// Throws the MPI error `code` stands for, unless it is success.
    private func check(_ code: Int32) throws(DistributedError) {
        guard code != MPILibrary.success else { return }
        throw .collectiveFailed(operation: operation.description, rank: rank, code: code, message: library.message(for: code))
    }
}
