import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The float buffers a command is about to allocate, summed and checked together against the
/// memory this machine has available, so settings that each fit but not together end with an error
/// naming the total, each part and what to lower, instead of an out-of-memory kill.
///
/// The static `require` checks one buffer alone against physical memory, as a last guard right
/// before it is allocated.
public struct MemoryBudget: Sendable {
    /// Bytes the budget may plan.
    public let available: Int
    /// What was planned so far: a name and its bytes (nil when its size overflowed).
    public private(set) var parts: [(what: String, bytes: Int?)] = []

    /// A budget of `available` bytes (default: what the system reports available now).
    public init(available: Int = MemoryBudget.availableBytes()) {
        self.available = available
    }

    /// Plans `floats` Float values (nil: the count overflowed) for `what`.
    public mutating func add(_ what: String, floats: Int?) {
        parts.append((what, floats.flatMap(MemoryBudget.bytes(floats:))))
    }

    /// Bytes of everything planned, or nil when a part or the sum overflows.
    public var total: Int? {
        var sum = 0
        for part in parts {
            guard let bytes = part.bytes else { return nil }
            let (next, overflow) = sum.addingReportingOverflow(bytes)
            guard !overflow else { return nil }
            sum = next
        }
        return sum
    }

    /// Throws `ModelError.exceedsMemory` for `what` (naming every part) unless the total fits.
    public func check(_ what: String, lower: String) throws {
        guard let total, total <= available else {
            let detail = parts.map { "\($0.what) \($0.bytes.map(MemoryBudget.describe) ?? "overflowing")" }
            throw ModelError.exceedsMemory(what: "\(what) (\(detail.joined(separator: " + ")))", bytes: total,
                                           available: available, lower: lower)
        }
    }

    /// `bytes` in MB or GB with one decimal.
    static func describe(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GB", Double(bytes) / Double(1 << 30))
            : String(format: "%.1f MB", Double(bytes) / Double(1 << 20))
    }

    /// Bytes of memory available for new allocations: `MemAvailable` of /proc/meminfo, or physical
    /// memory where that cannot be read.
    public static func availableBytes(meminfo: String? = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))
        -> Int {
        let line = meminfo?.split(separator: "\n").first { $0.hasPrefix("MemAvailable:") }
        let fields = line?.split(separator: " ") ?? []
        guard fields.count == 3, fields[2] == "kB", let kilobytes = Int(fields[1]), kilobytes >= 0 else {
            return physicalBytes
        }
        let (bytes, overflow) = kilobytes.multipliedReportingOverflow(by: 1024)
        return overflow ? physicalBytes : min(bytes, physicalBytes)
    }

    /// Bytes of physical memory (`_SC_PHYS_PAGES` × `_SC_PAGESIZE`), or `Int.max` when unknown.
    static let physicalBytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return .max }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? .max : bytes
    }()

    /// Total elements of `shapes`, or nil when a product or the sum overflows `Int`.
    public static func elements(_ shapes: [[Int]]) -> Int? {
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

    /// Bytes of `floats` Float values, or nil when that overflows.
    static func bytes(floats: Int) -> Int? {
        let (bytes, overflow) = floats.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        return overflow ? nil : bytes
    }

    /// Throws `ModelError.exceedsMemory` unless `floats` Float values (nil: overflowed) fit in memory.
    static func require(floats: Int?, for what: String, lower: String) throws {
        let bytes = floats.flatMap(bytes(floats:))
        guard let bytes, bytes <= physicalBytes else {
            throw ModelError.exceedsMemory(what: what, bytes: bytes, available: physicalBytes, lower: lower)
        }
    }
}
