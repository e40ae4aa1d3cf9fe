import Foundation
import QuenchTensor

/// Everything `quench bench kernels` measured, ready to print or to encode as JSON.
public struct KernelBenchmarkReport: Codable, Sendable {
    /// The BLAS library the process loaded.
    public struct BLASInfo: Codable, Sendable {
        public let vendor: String
        public let library: String
        public let configuration: String?
        public let threads: Int?
        public let warning: String?
    }

    /// One sgemm shape and transpose case: BLAS called directly and through Quench's wrapper,
    /// interleaved in the same run.
    public struct GEMMResult: Codable, Sendable {
        public let label: String
        public let m: Int, n: Int, k: Int
        public let directGFLOPS: Double
        public let wrapperGFLOPS: Double
        /// wrapper / direct throughput (1.0 = no overhead).
        public var wrapperRatio: Double { directGFLOPS > 0 ? wrapperGFLOPS / directGFLOPS : 0 }
    }

    /// Median forward and backward milliseconds of one kernel.
    public struct KernelResult: Codable, Sendable {
        public let kernel: String
        public let shape: String
        public let forwardMilliseconds: Double
        public let backwardMilliseconds: Double
    }

    /// An element-wise kernel on one worker and on all cores.
    public struct ParallelResult: Codable, Sendable {
        public let kernel: String
        public let serialMilliseconds: Double
        public let parallelMilliseconds: Double
        public let workers: Int
        public var speedup: Double { parallelMilliseconds > 0 ? serialMilliseconds / parallelMilliseconds : 0 }
    }

    public let blas: BLASInfo
    public let repeats: Int
    public let gemm: [GEMMResult]
    public let kernels: [KernelResult]
    public let parallel: [ParallelResult]

    /// A plain-text table for people.
    public func rendered() -> String {
        var lines: [String] = []
        if let warning = blas.warning { lines.append(warning) }
        lines.append("BLAS: \(blas.vendor) (\(blas.library))")
        if let configuration = blas.configuration {
            lines.append("      \(configuration), \(blas.threads.map(String.init) ?? "?") threads")
        }
        lines.append("")
        lines.append("sgemm, median of \(repeats) (GFLOP/s)        M      N      K   direct  wrapper  ratio")
        for g in gemm {
            lines.append(
                pad(g.label, 34) + pad(String(g.m), 7, right: true) + pad(String(g.n), 7, right: true)
                    + pad(String(g.k), 7, right: true) + format(g.directGFLOPS, 9, 1) + format(g.wrapperGFLOPS, 9, 1)
                    + format(g.wrapperRatio, 7, 3))
        }
        lines.append("")
        lines.append("kernels, median of \(repeats) (ms)       shape                      forward  backward")
        for k in kernels {
            lines.append(pad(k.kernel, 29) + pad(k.shape, 27) + format(k.forwardMilliseconds, 9, 3)
                         + format(k.backwardMilliseconds, 10, 3))
        }
        lines.append("* the loss and head are fused: backward is the whole forward+backward, R rows of logits at a time")
        lines.append("")
        lines.append("parallel element-wise loops (ms)      1 worker  \(parallel.first?.workers ?? 0) workers  speedup")
        for p in parallel {
            lines.append(pad(p.kernel, 36) + format(p.serialMilliseconds, 10, 3) + format(p.parallelMilliseconds, 11, 3)
                         + format(p.speedup, 9, 2) + "x")
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }

    private func format(_ value: Double, _ width: Int, _ decimals: Int) -> String {
        pad(String(format: "%.\(decimals)f", value), width, right: true)
    }
}
