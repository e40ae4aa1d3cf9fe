import Foundation

/// The instruction-set extensions Quench's precision choices depend on, read from the kernel's
/// view of the CPU (`/proc/cpuinfo` flags).
///
/// `QUENCH_SIMULATE_CPU_WITHOUT_BF16=1` in the environment hides the bf16 extensions, so tests (and
/// users checking a job before sending it to older machines) see what a CPU without them does.
public struct CPUFeatures: Sendable, Equatable {
    /// `avx512_bf16`: VCVTNE2PS2BF16 and VDPBF16PS (Cooper Lake, Zen 4 and later).
    public let avx512BF16: Bool
    /// `amx_bf16`: AMX tiles with bf16 dot products (Sapphire Rapids and later).
    public let amxBF16: Bool
    /// Where the flags came from, for messages.
    public let source: String

    public init(avx512BF16: Bool, amxBF16: Bool, source: String) {
        (self.avx512BF16, self.amxBF16, self.source) = (avx512BF16, amxBF16, source)
    }

    /// Whether bf16 products run in hardware.
    public var hasBF16Arithmetic: Bool { avx512BF16 || amxBF16 }

    /// The environment variable that hides the bf16 extensions.
    public static let simulateWithoutBF16Variable = "QUENCH_SIMULATE_CPU_WITHOUT_BF16"

    /// This machine's CPU, honouring the simulation variable (read at each call, so a test can set it).
    public static var current: CPUFeatures {
        let detected = detected
        guard let value = ProcessInfo.processInfo.environment[simulateWithoutBF16Variable], !value.isEmpty,
              value != "0" else { return detected }
        return CPUFeatures(avx512BF16: false, amxBF16: false, source: "\(simulateWithoutBF16Variable)=\(value)")
    }

    /// The flags of the first processor in /proc/cpuinfo (all cores of a machine report the same).
    static let detected: CPUFeatures = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            return CPUFeatures(avx512BF16: false, amxBF16: false, source: "/proc/cpuinfo unreadable")
        }
        return parse(cpuinfo: text)
    }()

    /// Reads the `flags` line of a /proc/cpuinfo text.
    static func parse(cpuinfo text: String) -> CPUFeatures {
        let flagsLine = text.split(separator: "\n").first { $0.hasPrefix("flags") }
        let flags = Set((flagsLine?.split(separator: ":").last ?? "").split(separator: " ").map(String.init))
        return CPUFeatures(avx512BF16: flags.contains("avx512_bf16"), amxBF16: flags.contains("amx_bf16"),
                           source: "flags in /proc/cpuinfo")
    }
}
