import CBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which BLAS library this process resolved `cblas_sgemm` to at run time.
///
/// Quench links `-lblas`; Debian's alternatives decide whether `libblas.so.3` is OpenBLAS or the
/// reference implementation, which is about ten times slower. This tells which one won.
public struct BLASRuntime: Sendable, Equatable {
    /// The implementations Quench can tell apart.
    public enum Vendor: String, Sendable {
        case openBLAS = "OpenBLAS"
        case reference = "reference BLAS (netlib)"
        case unknown = "unknown BLAS"
    }

    public let vendor: Vendor
    /// The shared object that holds `cblas_sgemm`, symlinks resolved.
    public let libraryPath: String
    /// OpenBLAS's build description (version, target CPU, threading), when it is OpenBLAS.
    public let configuration: String?
    /// Threads OpenBLAS runs each call on, when it is OpenBLAS: 1, since Quench cuts products over
    /// its compute team itself (`limitedToCallingThread`).
    public let threads: Int?

    /// Inspects the running process (after setting OpenBLAS to one thread, as products do first).
    public static func current() -> BLASRuntime {
        _ = limitedToCallingThread
        guard let path = sgemmLibraryPath() else {
            return BLASRuntime(vendor: .unknown, libraryPath: "not found", configuration: nil, threads: nil)
        }
        typealias ConfigFunction = @convention(c) () -> UnsafePointer<CChar>?
        typealias ThreadsFunction = @convention(c) () -> Int32
        let openBLAS: BLASRuntime? = withLoadedLibrary(path) { handle in
            guard let symbol = dlsym(handle, "openblas_get_config") else { return nil }
            let config = unsafeBitCast(symbol, to: ConfigFunction.self)().map { String(cString: $0) }
            let threads = dlsym(handle, "openblas_get_num_threads").map {
                Int(unsafeBitCast($0, to: ThreadsFunction.self)())
            }
            return BLASRuntime(vendor: .openBLAS, libraryPath: path, configuration: config, threads: threads)
        }
        if let openBLAS { return openBLAS }
        let vendor: Vendor = path.contains("/blas/") ? .reference : .unknown
        return BLASRuntime(vendor: vendor, libraryPath: path, configuration: nil, threads: nil)
    }

    /// Set once, before the first product: OpenBLAS computes each call on the calling thread alone.
    static let limitedToCallingThread = limitOpenBLASToCallingThread()

    /// Makes OpenBLAS compute every product on the calling thread alone (`openblas_set_num_threads(1)`):
    /// `BLAS` splits products over the compute team itself, so OpenBLAS's own threads would only
    /// spin beside it. Does nothing when the BLAS is not OpenBLAS. Returns whether OpenBLAS took it.
    private static func limitOpenBLASToCallingThread() -> Bool {
        typealias SetThreadsFunction = @convention(c) (Int32) -> Void
        guard let path = sgemmLibraryPath() else { return false }
        let limited: Bool? = withLoadedLibrary(path) { handle in
            guard let symbol = dlsym(handle, "openblas_set_num_threads") else { return nil }
            unsafeBitCast(symbol, to: SetThreadsFunction.self)(1)
            return true
        }
        return limited == true
    }

    /// The shared object `cblas_sgemm` calls go to, symlinks resolved.
    static func sgemmLibraryPath() -> String? {
        // The address BLAS calls go to, taken from the linked symbol itself (not a name lookup, which
        // misses libraries loaded with RTLD_LOCAL, as test bundles are).
        let sgemm: @convention(c) (
            CBLAS_LAYOUT, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Float,
            UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
        ) -> Void = cblas_sgemm
        return mappedFile(containing: UInt(bitPattern: unsafeBitCast(sgemm, to: UnsafeRawPointer.self)))
    }

    /// `body(handle)` on the already loaded library at `path`; nil when it is not loaded.
    private static func withLoadedLibrary<T>(_ path: String, _ body: (UnsafeMutableRawPointer) -> T?) -> T? {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD) else { return nil }
        defer { dlclose(handle) }
        return body(handle)
    }

    /// The file mapped at `address` in this process, read from /proc/self/maps, symlinks resolved.
    static func mappedFile(containing address: UInt) -> String? {
        // Read with FileHandle to the end: /proc files report size 0, and a size-based read stops early.
        guard let file = FileHandle(forReadingAtPath: "/proc/self/maps"),
              let data = try? file.readToEnd(), let maps = String(data: data, encoding: .utf8) else { return nil }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, let dash = fields[0].firstIndex(of: "-"),
                  let low = UInt(fields[0][..<dash], radix: 16),
                  let high = UInt(fields[0][fields[0].index(after: dash)...], radix: 16),
                  (low..<high).contains(address) else { continue }
            let path = fields[5...].joined(separator: " ")
            guard let resolved = realpath(path, nil) else { return path }
            defer { free(resolved) }
            return String(cString: resolved)
        }
        return nil
    }

    /// A loud warning when the BLAS is not OpenBLAS, saying how to fix it; nil otherwise.
    public var warning: String? {
        guard vendor != .openBLAS else { return nil }
        return """
            WARNING: cblas_sgemm comes from \(vendor.rawValue) at \(libraryPath), not OpenBLAS.
            WARNING: matrix products will run about 10x slower. Install OpenBLAS with
            WARNING:   apt-get install libopenblas0-pthread
            WARNING: (or `make setup`), which makes libblas.so.3 resolve to it.
            """
    }
}
