#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The group of one: a process no launcher started. Collectives return at once, leaving values as they are.
public final class SoloGroup: ProcessGroup {
    public init() {}

    public var rank: Int { 0 }
    public var size: Int { 1 }

    public func startSum(_ values: UnsafeMutableBufferPointer<Float>, _ operation: Collective) throws(DistributedError) -> any PendingCollective {
        FinishedCollective()
    }

    public func sum(_ values: inout [Double], _ operation: Collective) throws(DistributedError) {}

    public func gather(_ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]] { [bytes] }

    public func barrier(_ operation: Collective) throws(DistributedError) {}

    public func abort(code: Int32) -> Never { exit(code) }

    public func finish() {}
}

/// A collective with nothing left to do.
final class FinishedCollective: PendingCollective {
    func poll() throws(DistributedError) -> Bool { true }
    func wait() throws(DistributedError) {}
}
