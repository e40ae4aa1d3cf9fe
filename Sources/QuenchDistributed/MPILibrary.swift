#if canImport(Glibc)
import Glibc
#endif

/// Open MPI's C API, loaded from `libmpi.so.40` at run time so that neither the build nor a
/// single-process run needs MPI installed.
///
/// Open MPI's handles (`MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_SUM`, …) are the addresses of its
/// predefined global objects (`&ompi_mpi_comm_world`, …); requests are pointers too. That is
/// Open MPI's ABI, the same in versions 4 and 5, and the version is checked when loading.
final class MPILibrary {
    typealias InitThread = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<Int32>) -> Int32
    typealias Finalize = @convention(c) () -> Int32
    typealias CommAttribute = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int32>) -> Int32
    typealias SetErrhandler = @convention(c) (OpaquePointer, OpaquePointer) -> Int32
    typealias Iallreduce = @convention(c) (
        UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, OpaquePointer, OpaquePointer, OpaquePointer,
        UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias Iallgather = @convention(c) (
        UnsafeRawPointer?, Int32, OpaquePointer, UnsafeMutableRawPointer?, Int32, OpaquePointer, OpaquePointer,
        UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias Ibarrier = @convention(c) (OpaquePointer, UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias Test = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<Int32>, UnsafeMutableRawPointer?) -> Int32
    typealias Abort = @convention(c) (OpaquePointer, Int32) -> Int32
    typealias Describe = @convention(c) (Int32, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32
    typealias LibraryVersion = @convention(c) (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32

    /// The library loaded when `QUENCH_MPI_LIBRARY` does not name another: Debian's `libopenmpi3`.
    static let defaultPath = "libmpi.so.40"
    /// `MPI_SUCCESS`.
    static let success: Int32 = 0
    /// `MPI_THREAD_SERIALIZED` in Open MPI: any thread may call, one at a time.
    static let threadSerialized: Int32 = 2
    /// `MPI_IN_PLACE` in Open MPI: `(void *) 1`.
    static var inPlace: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: 1) }

    let path: String
    /// What `MPI_Get_library_version` says, e.g. "Open MPI v4.1.4, package: Debian OpenMPI, …".
    let version: String
    let initThread: InitThread
    let finalize: Finalize
    let commRank: CommAttribute
    let commSize: CommAttribute
    let setErrhandler: SetErrhandler
    let iallreduce: Iallreduce
    let iallgather: Iallgather
    let ibarrier: Ibarrier
    let test: Test
    let abort: Abort
    let describe: Describe
    let world: OpaquePointer
    let float: OpaquePointer
    let double: OpaquePointer
    let byte: OpaquePointer
    let sum: OpaquePointer
    let errorsReturn: OpaquePointer

    /// Loads the library at `path` (a file name is searched as `dlopen` does) for a process `launcher`
    /// started, and resolves every function and handle Quench calls. `RTLD_GLOBAL` is required: Open
    /// MPI's components, which it loads itself, find libmpi's symbols through the global scope.
    static func load(path: String, launcher: String) throws(DistributedError) -> MPILibrary {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL) else {
            throw .libraryUnavailable(path: path, launcher: launcher, reason: loaderError() ?? "dlopen failed")
        }
        do {
            return try MPILibrary(path: path, handle: handle, launcher: launcher)
        } catch {
            dlclose(handle)
            throw error
        }
    }

    private init(path: String, handle: UnsafeMutableRawPointer, launcher: String) throws(DistributedError) {
        func address(_ name: String) throws(DistributedError) -> UnsafeMutableRawPointer {
            _ = dlerror()
            guard let address = dlsym(handle, name) else {
                throw .libraryUnavailable(path: path, launcher: launcher,
                                          reason: "it has no \(name), so it is not Open MPI's libmpi (\(MPILibrary.loaderError() ?? "dlsym failed"))")
            }
            return address
        }
        func function<F>(_ name: String, _ type: F.Type) throws(DistributedError) -> F {
            unsafeBitCast(try address(name), to: type)
        }
        func object(_ name: String) throws(DistributedError) -> OpaquePointer { OpaquePointer(try address(name)) }

        let libraryVersion = try function("MPI_Get_library_version", LibraryVersion.self)
        version = Self.text(capacity: 4096) { libraryVersion($0, $1) }
        try Self.requireSupported(version: version, path: path)
        self.path = path
        initThread = try function("MPI_Init_thread", InitThread.self)
        finalize = try function("MPI_Finalize", Finalize.self)
        commRank = try function("MPI_Comm_rank", CommAttribute.self)
        commSize = try function("MPI_Comm_size", CommAttribute.self)
        setErrhandler = try function("MPI_Comm_set_errhandler", SetErrhandler.self)
        iallreduce = try function("MPI_Iallreduce", Iallreduce.self)
        iallgather = try function("MPI_Iallgather", Iallgather.self)
        ibarrier = try function("MPI_Ibarrier", Ibarrier.self)
        test = try function("MPI_Test", Test.self)
        abort = try function("MPI_Abort", Abort.self)
        describe = try function("MPI_Error_string", Describe.self)
        world = try object("ompi_mpi_comm_world")
        float = try object("ompi_mpi_float")
        double = try object("ompi_mpi_double")
        byte = try object("ompi_mpi_byte")
        sum = try object("ompi_mpi_op_sum")
        errorsReturn = try object("ompi_mpi_errors_return")
    }

    /// Refuses any MPI but Open MPI 4 and 5, whose handles are the addresses Quench looks up (MPICH's
    /// are integers, so calling it would pass it garbage).
    static func requireSupported(version: String, path: String) throws(DistributedError) {
        guard version.hasPrefix("Open MPI v4.") || version.hasPrefix("Open MPI v5.") else {
            throw .unsupportedLibrary(path: path, version: version)
        }
    }

    /// MPI's text for an error code (`MPI_Error_string`).
    func message(for code: Int32) -> String {
        let text = Self.text(capacity: 1024) { describe(code, $0, $1) }
        return text.isEmpty ? "no description" : text
    }

    /// The string a C call writes into a buffer of `capacity` bytes, with its length in the second argument.
    private static func text(capacity: Int, _ fill: (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32) -> String {
        var buffer = [CChar](repeating: 0, count: capacity)
        var length: Int32 = 0
        let code = buffer.withUnsafeMutableBufferPointer { pointer in
            pointer.baseAddress.map { fill($0, &length) } ?? -1
        }
        guard code == success, length >= 0 else { return "" }
        let bytes = buffer.prefix(min(Int(length), capacity - 1)).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).trimmingTrailingNewlines
    }

    /// `dlerror`'s message for the last failed call, if any.
    private static func loaderError() -> String? {
        dlerror().map { String(cString: $0) }
    }
}

extension String {
    /// This string without line breaks at its end.
    fileprivate var trimmingTrailingNewlines: String {
        var text = Substring(self)
        while text.last?.isNewline == true { text.removeLast() }
        return String(text)
    }
}
