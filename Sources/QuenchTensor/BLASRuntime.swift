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
    /// Threads OpenBLAS will use, when it is OpenBLAS.
    public let threads: Int?

    /// Inspects the running process.
    public static func current() -> BLASRuntime {
        // The address BLAS calls go to, taken from the linked symbol itself (not a name lookup, which
        // misses libraries loaded with RTLD_LOCAL, as test bundles are).
        let sgemm: @convention(c) (
            CBLAS_LAYOUT, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, Int32, Int32, Int32, Float,
            UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
        ) -> Void = cblas_sgemm
        let address = UInt(bitPattern: unsafeBitCast(sgemm, to: UnsafeRawPointer.self))
        guard let path = mappedFile(containing: address) else {
            return BLASRuntime(vendor: .unknown, libraryPath: "not found", configuration: nil, threads: nil)
        }
        let handle = dlopen(path, RTLD_NOW | RTLD_NOLOAD)
        defer { if let handle { dlclose(handle) } }
        typealias ConfigFunction = @convention(c) () -> UnsafePointer<CChar>?
        typealias ThreadsFunction = @convention(c) () -> Int32
        if let handle, let symbol = dlsym(handle, "openblas_get_config") {
            let config = unsafeBitCast(symbol, to: ConfigFunction.self)().map { String(cString: $0) }
            let threads = dlsym(handle, "openblas_get_num_threads").map {
                Int(unsafeBitCast($0, to: ThreadsFunction.self)())
            }
            return BLASRuntime(vendor: .openBLAS, libraryPath: path, configuration: config, threads: threads)
        }
        let vendor: Vendor = path.contains("/blas/") ? .reference : .unknown
        return BLASRuntime(vendor: vendor, libraryPath: path, configuration: nil, threads: nil)
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
