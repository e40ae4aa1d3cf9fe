#if canImport(Glibc)
import Glibc
#endif

/// This machine's name as the kernel has it: what ranks print to say where they run, and how they
/// count the ranks that share a machine's memory.
public enum MachineName {
    /// The host name, or "an unnamed host" when the kernel gives none.
    public static func current() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "an unnamed host" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
