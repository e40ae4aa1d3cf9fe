#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks the float buffers a model, workspace or cache is about to allocate against the machine's
/// physical memory, so a huge setting or a hostile file ends with an error naming what to lower
/// instead of an allocation failure that kills the process.
enum MemoryBudget {
    /// Bytes of physical memory (`_SC_PHYS_PAGES` × `_SC_PAGESIZE`), or `Int.max` when unknown.
    static let physicalBytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return .max }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? .max : bytes
    }()

    /// Total elements of `shapes`, or nil when a product or the sum overflows `Int`.
    static func elements(_ shapes: [[Int]]) -> Int? {
        var total = 0
        for shape in shapes {
            var count = 1
            for dimension in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow else { return nil }
                count = product
            }
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else { return nil }
            total = sum
        }
        return total
    }

    /// Throws `ModelError.exceedsMemory` unless `floats` Float values (nil: overflowed) fit in memory.
    static func require(floats: Int?, for what: String, lower: String) throws {
        let bytes = floats.flatMap { count -> Int? in
            let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
            return overflow ? nil : bytes
        }
        guard let bytes, bytes <= physicalBytes else {
            throw ModelError.exceedsMemory(what: what, bytes: bytes, available: physicalBytes, lower: lower)
        }
    }
}
