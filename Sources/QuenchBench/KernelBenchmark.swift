import CBLAS
import QuenchTensor

/// `quench bench kernels`: sgemm throughput at the shapes of a 135M Llama, and the forward and
/// backward time of every kernel of the tensor engine.
public struct KernelBenchmark {
    /// Sizes to measure at; the defaults are SmolLM2-135M's.
    public struct Configuration: Sendable {
        public var batch = 4, time = 256, channels = 576, hidden = 1536, vocabulary = 49152
        public var queryHeads = 9, keyValueHeads = 3, layers = 30
        /// Tokens (rows) of the sgemm measurements.
        public var gemmTokens = 1024
        /// Output widths of the sgemm measurements: an MLP projection and the vocabulary head.
        public var gemmWidths = [1536, 49152]
        /// Rows of logits the cross-entropy holds at once.
        public var crossEntropyChunk = 128
        public var repeats = 5

        public init() {}
    }

    public let configuration: Configuration
    let progress: (String) -> Void

    /// `progress` receives a line as each measurement finishes.
    public init(configuration: Configuration = Configuration(), progress: @escaping (String) -> Void = { _ in }) {
        self.configuration = configuration
        self.progress = progress
    }

    /// Runs every measurement.
    public func run() throws -> KernelBenchmarkReport {
        let runtime = BLASRuntime.current()
        let blas = KernelBenchmarkReport.BLASInfo(
            vendor: runtime.vendor.rawValue, library: runtime.libraryPath, configuration: runtime.configuration,
            threads: runtime.threads, warning: runtime.warning)
        if let warning = runtime.warning { progress(warning) }
        var gemm: [KernelBenchmarkReport.GEMMResult] = []
        for width in configuration.gemmWidths {
            for gemmCase in GEMMCase.allCases {
                let result = try measureGEMM(gemmCase, tokens: configuration.gemmTokens, width: width)
                progress("sgemm \(result.label) M=\(result.m) N=\(result.n) K=\(result.k): "
                         + "\(Int(result.wrapperGFLOPS)) GFLOP/s")
                gemm.append(result)
            }
        }
        let kernels = try KernelTimings(configuration: configuration, progress: progress).measureAll()
        let parallel = try KernelTimings(configuration: configuration, progress: progress).measureParallelism()
        return KernelBenchmarkReport(
            blas: blas, repeats: configuration.repeats, gemm: gemm, kernels: kernels, parallel: parallel)
    }

    /// The three products of a linear layer y = x Wᵀ: forward, input gradient, weight gradient.
    enum GEMMCase: CaseIterable {
        case forward, inputGradient, weightGradient

        var label: String {
            switch self {
            case .forward: return "forward     x·Wᵀ   (NT)"
            case .inputGradient: return "input grad  dy·W   (NN)"
            case .weightGradient: return "weight grad dyᵀ·x  (TN)"
            }
        }
    }

    /// Times one `cblas_sgemm` call (OpenBLAS computes it on one thread) and the same product
    /// through `MatMul.multiply` (cut over the compute team), on the same buffers, alternating the
    /// two so both see the same machine load; their ratio is what the team gains over one thread.
    /// M tokens, K channels, N width.
    func measureGEMM(_ gemmCase: GEMMCase, tokens: Int, width: Int) throws -> KernelBenchmarkReport.GEMMResult {
        let k = configuration.channels
        let x = try filled([tokens, k]), w = try filled([width, k]), dy = try filled([tokens, width])
        let (a, transA, b, transB, c): (Tensor, Transpose, Tensor, Transpose, Tensor)
        let (m, n, depth): (Int, Int, Int)
        switch gemmCase {
        case .forward:
            (a, transA, b, transB, c) = (x, .none, w, .transposed, dy)
            (m, n, depth) = (tokens, width, k)
        case .inputGradient:
            (a, transA, b, transB, c) = (dy, .none, w, .none, x)
            (m, n, depth) = (tokens, k, width)
        case .weightGradient:
            (a, transA, b, transB, c) = (dy, .transposed, x, .none, w)
            (m, n, depth) = (width, k, tokens)
        }
        let direct = {
            cblas_sgemm(
                CblasRowMajor, transA == .none ? CblasNoTrans : CblasTrans, transB == .none ? CblasNoTrans : CblasTrans,
                Int32(m), Int32(n), Int32(depth), 1, a.pointer, Int32(a.columns), b.pointer, Int32(b.columns),
                0, c.pointer, Int32(c.columns))
        }
        let wrapped = { try MatMul.multiply(a, transA, b, transB, into: c) }
        try wrapped()
        // Short products get more samples (about 0.3 s a side), so one busy moment on a shared
        // machine cannot decide the median.
        let single = Stopwatch.time(direct)
        let samples = min(200, max(configuration.repeats, Int(0.3 / max(single, 1e-6))))
        var directSamples: [Double] = [], wrapperSamples: [Double] = []
        for _ in 0..<samples {
            directSamples.append(Stopwatch.time(direct))
            wrapperSamples.append(try Stopwatch.time(wrapped))
        }
        let flops = 2 * Double(m) * Double(n) * Double(depth)
        return KernelBenchmarkReport.GEMMResult(
            label: gemmCase.label, m: m, n: n, k: depth,
            directGFLOPS: flops / Stopwatch.median(of: directSamples) / 1e9,
            wrapperGFLOPS: flops / Stopwatch.median(of: wrapperSamples) / 1e9)
    }
}

/// A tensor of small deterministic values (no denormals, no NaNs) for timing.
func filled(_ shape: [Int], scale: Float = 0.02) throws -> Tensor {
    let tensor = try Tensor(zeros: shape)
    let p = tensor.pointer
    for i in 0..<tensor.count { p[i] = scale * Float((i &* 2_654_435_761) % 2001 - 1000) / 1000 }
    return tensor
}
