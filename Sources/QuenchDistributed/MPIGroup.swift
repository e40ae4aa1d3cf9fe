#if canImport(Glibc)
import Glibc
#endif

/// The ranks of an `mpirun` or `srun --mpi=pmix` launch, through Open MPI's world communicator.
///
/// Every collective is non-blocking (`MPI_Iallreduce`, `MPI_Iallgather`, `MPI_Ibarrier`) and waited
/// for with a deadline, and MPI reports errors instead of ending the process (`MPI_ERRORS_RETURN`),
/// so a rank that died turns into a `DistributedError` naming the collective, never a hang.
final class MPIGroup: ProcessGroup {
    let rank: Int
    let size: Int
    /// The ranks on this machine: those whose host name is this rank's, gathered once at start.
    /// (`MPI_Comm_split_type` would be MPI's own way, but it crashes Open MPI 4.1.4 ranks started by
    /// `srun --mpi=pmix`.)
    private(set) var ranksOnThisNode = 1
    private let library: MPILibrary
    private let timeout: CollectiveTimeout
    /// The most elements one MPI call sums: counts are C `int`s.
    private let largestCall: Int
    private var finished = false

    /// Where this process stands once MPI started: as MPI says, checked against the launcher.
    private struct Place {
        var rank: Int
        var size: Int?
    }

    /// Initialises MPI (`MPI_Init_thread`, serialized), checks that MPI agrees with the launcher's rank
    /// and size, and counts the ranks on this machine by their host names. `largestCall` is lowered by tests only, to sum a
    /// few floats in several calls.
    ///
    /// A failure once MPI started ends the process: alone, MPI is finalized and the error thrown; with
    /// other ranks, `report` gets the error with this rank and the number of ranks (as far as known),
    /// then the whole job ends (MPI_Abort), so no rank is left waiting for this one.
    init(library: MPILibrary, launch: LaunchEnvironment, timeout: CollectiveTimeout, largestCall: Int = 1 << 30,
         beforeAbort report: (DistributedError, _ rank: Int, _ size: Int?) -> Void) throws(DistributedError) {
        self.library = library
        self.timeout = timeout
        self.largestCall = max(1, min(largestCall, Int(Int32.max)))
        Self.preferRingAllreduce()
        var provided: Int32 = 0
        let started = library.initThread(nil, nil, MPILibrary.threadSerialized, &provided)
        guard started == MPILibrary.success else {
            // MPI_Error_string may not be called when MPI did not start.
            throw .collectiveFailed(operation: "MPI start (MPI_Init_thread)", rank: launch.rank, code: started,
                                    message: "Open MPI could not start; its messages above say why")
        }
        var place = Place(rank: launch.rank, size: launch.size)
        do throws(DistributedError) {
            try Self.locate(&place, library: library, launch: launch, provided: provided)
        } catch {
            guard place.size != 1 else {
                _ = library.finalize()
                throw error
            }
            report(error, place.rank, place.size)
            _ = library.abort(library.world, 1)
            exit(1)
        }
        rank = place.rank
        size = place.size ?? 1
        guard size > 1 else { return }
        do throws(DistributedError) {
            ranksOnThisNode = try ranksSharingThisMachine()
        } catch {
            report(error, rank, size)
            _ = library.abort(library.world, 1)
            exit(1)
        }
    }

    /// The Open MPI setting that picks the algorithm of `MPI_Iallreduce`, and the one Quench asks for.
    static let allreduceAlgorithm = (variable: "OMPI_MCA_coll_libnbc_iallreduce_algorithm", ring: "1")

    /// Asks Open MPI, which reads its settings from the environment in `MPI_Init`, for the ring
    /// algorithm in non-blocking sums, unless the launch chose one (`mpirun --mca`, `-x`). Open MPI 4.1
    /// otherwise takes a binomial tree for an in-place sum or fewer than 4 ranks: the whole buffer goes
    /// to one rank and back, 2–3 times the ring's time for a gradient block (134.5 M floats over 2
    /// ranks here: 0.44–0.49 s against 0.18–0.20 s, as fast as the blocking `MPI_Allreduce`;
    /// scripts/bench-allreduce.py). The ring adds each element once and sends every rank the result,
    /// so all ranks still hold the same bits.
    private static func preferRingAllreduce() {
        setenv(allreduceAlgorithm.variable, allreduceAlgorithm.ring, 0)
    }

    /// How many ranks run on this machine: every rank's host name gathered (a fixed 256 bytes each),
    /// those equal to this one's counted.
    private func ranksSharingThisMachine() throws(DistributedError) -> Int {
        let name = Array(MachineName.current().utf8.prefix(256))
        let padded = name + [UInt8](repeating: 0, count: 256 - name.count)
        let names = try gather(padded, Collective("machine count"))
        return max(names.filter { $0 == padded }.count, 1)
    }

    /// Fills in `place` as MPI answers: the error handler first (errors returned, not fatal), then the
    /// rank and size, checked against the launcher's.
    private static func locate(_ place: inout Place, library: MPILibrary, launch: LaunchEnvironment,
                               provided: Int32) throws(DistributedError) {
        func check(_ code: Int32, _ operation: String) throws(DistributedError) {
            guard code != MPILibrary.success else { return }
            throw .collectiveFailed(operation: operation, rank: place.rank, code: code, message: library.message(for: code))
        }
        var rank: Int32 = 0
        var size: Int32 = 0
        try check(library.setErrhandler(library.world, library.errorsReturn), "MPI error handler setting")
        try check(library.commRank(library.world, &rank), "rank query (MPI_Comm_rank)")
        place.rank = Int(rank)
        try check(library.commSize(library.world, &size), "size query (MPI_Comm_size)")
        place.size = Int(size)
        guard provided >= MPILibrary.threadSerialized else {
            throw .collectiveFailed(operation: "MPI start (MPI_Init_thread)", rank: place.rank, code: provided,
                                    message: "\(library.path) provides thread level \(provided), Quench needs MPI_THREAD_SERIALIZED (2)")
        }
        let launcher = launch.launcher
        guard place.rank == launch.rank else {
            throw .inconsistentLaunch(variable: launcher.rankVariable, value: String(launch.rank),
                                      reason: "MPI says this process is rank \(rank) of \(size)")
        }
        if let expected = launch.size, expected != Int(size) {
            throw .inconsistentLaunch(variable: launcher.sizeVariable, value: String(expected),
                                      reason: "MPI says \(size) ranks run together")
        }
    }

    func startSum(_ values: UnsafeMutableBufferPointer<Float>, _ operation: Collective) throws(DistributedError) -> any PendingCollective {
        try startSum(UnsafeMutableRawPointer(values.baseAddress), count: values.count, elementSize: MemoryLayout<Float>.stride,
                     type: library.float, operation)
    }

    func sum(_ values: inout [Double], _ operation: Collective) throws(DistributedError) {
        let outcome: Result<Void, DistributedError> = values.withUnsafeMutableBufferPointer { buffer in
            Result { () throws(DistributedError) in
                try startSum(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count,
                             elementSize: MemoryLayout<Double>.stride, type: library.double, operation).wait()
            }
        }
        try outcome.get()
    }

    /// Every rank's bytes in rank order. The lengths are gathered first, so ranks that hold different
    /// amounts are named in an error instead of handing MPI mismatched counts.
    func gather(_ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]] {
        let lengths = try allgather(withUnsafeBytes(of: Int64(bytes.count)) { Array($0) }, operation)
            .map { $0.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) } }
        let differing = lengths.indices.filter { lengths[$0] != lengths[0] }
        guard differing.isEmpty else {
            throw .ranksDisagree(what: "amounts of data (\(lengths.map(String.init).joined(separator: ", ")) bytes by rank)",
                                 operation: operation.description, ranks: differing)
        }
        return try allgather(bytes, operation)
    }

    func barrier(_ operation: Collective) throws(DistributedError) {
        let pending = MPIPendingCollective(library: library, rank: rank, operation: operation, timeout: timeout)
        try pending.start { library.ibarrier(library.world, $0) }
        try pending.wait()
    }

    func abort(code: Int32) -> Never {
        _ = library.abort(library.world, code)
        exit(code)
    }

    func finish() {
        guard !finished else { return }
        finished = true
        _ = library.finalize()
    }

    /// Starts an in-place sum of `count` elements at `base`, in calls of at most `largestCall` elements.
    private func startSum(_ base: UnsafeMutableRawPointer?, count: Int, elementSize: Int, type: OpaquePointer,
                          _ operation: Collective) throws(DistributedError) -> any PendingCollective {
        let pending = MPIPendingCollective(library: library, rank: rank, operation: operation, timeout: timeout)
        guard let base, count > 0 else { return pending }
        for start in stride(from: 0, to: count, by: largestCall) {
            let length = Int32(min(largestCall, count - start))
            try pending.start {
                library.iallreduce(MPILibrary.inPlace, base + start * elementSize, length, type, library.sum, library.world, $0)
            }
        }
        return pending
    }

    /// Every rank's `bytes`, all of the same length, in rank order.
    private func allgather(_ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]] {
        guard !bytes.isEmpty else { return Array(repeating: [], count: size) }
        let length = bytes.count
        guard length <= Int(Int32.max) else {
            throw .collectiveFailed(operation: operation.description, rank: rank, code: 0,
                                    message: "\(length) bytes is more than one MPI call carries (\(Int32.max))")
        }
        let (total, overflow) = length.multipliedReportingOverflow(by: size)
        guard !overflow else {
            throw .collectiveFailed(operation: operation.description, rank: rank, code: 0,
                                    message: "\(size) ranks × \(length) bytes overflows")
        }
        var gathered = [UInt8](repeating: 0, count: total)
        let outcome: Result<Void, DistributedError> = bytes.withUnsafeBytes { sent in
            gathered.withUnsafeMutableBytes { received in
                Result { () throws(DistributedError) in
                    let pending = MPIPendingCollective(library: library, rank: rank, operation: operation, timeout: timeout)
                    try pending.start {
                        library.iallgather(sent.baseAddress, Int32(length), library.byte, received.baseAddress, Int32(length),
                                           library.byte, library.world, $0)
                    }
                    try pending.wait()
                }
            }
        }
        try outcome.get()
        return stride(from: 0, to: total, by: length).map { Array(gathered[$0 ..< $0 + length]) }
    }
}
