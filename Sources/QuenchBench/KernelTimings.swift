import QuenchTensor

/// Forward and backward time of each kernel at one transformer layer's shapes, and the gain from
/// splitting the element-wise loops over the cores.
///
/// Shapes: B batch, T time, C channels, H MLP hidden, V vocabulary, NH/NKV heads, HS = C/NH.
struct KernelTimings {
    let configuration: KernelBenchmark.Configuration
    let progress: (String) -> Void

    var rows: Int { configuration.batch * configuration.time }

    func measureAll() throws -> [KernelBenchmarkReport.KernelResult] {
        let c = configuration
        let (B, T, C, H, V) = (c.batch, c.time, c.channels, c.hidden, c.vocabulary)
        let N = rows
        let headSize = C / c.queryHeads
        let bt = "B=\(B) T=\(T)"
        var results: [KernelBenchmarkReport.KernelResult] = []
        func record(_ kernel: String, _ shape: String, forward: () throws -> Void, backward: () throws -> Void) rethrows {
            let result = KernelBenchmarkReport.KernelResult(
                kernel: kernel, shape: shape,
                forwardMilliseconds: try Stopwatch.median(repeats: c.repeats, forward) * 1000,
                backwardMilliseconds: try Stopwatch.median(repeats: c.repeats, backward) * 1000)
            progress("\(kernel) \(shape): forward \(rounded(result.forwardMilliseconds)) ms, "
                     + "backward \(rounded(result.backwardMilliseconds)) ms")
            results.append(result)
        }

        let x = try filled([B, T, C]), dx = try Tensor(zeros: [B, T, C]), y = try Tensor(zeros: [B, T, C])
        let dy = try filled([B, T, C])
        let weight = try filled([C], scale: 1), bias = try filled([C]), dWeight = try Tensor(zeros: [C])
        let dBias = try Tensor(zeros: [C]), mean = try Tensor(zeros: [N]), rstd = try Tensor(zeros: [N])

        let linearWeight = try filled([H, C]), linearBias = try filled([H])
        let linearOut = try Tensor(zeros: [B, T, H]), linearGrad = try filled([B, T, H])
        let dLinearWeight = try Tensor(zeros: [H, C]), dLinearBias = try Tensor(zeros: [H])
        try record("linear (C→H)", "\(bt) C=\(C) H=\(H)", forward: {
            try Linear.forward(input: x, weight: linearWeight, bias: linearBias, output: linearOut)
        }, backward: {
            try Linear.backward(outputGrad: linearGrad, input: x, weight: linearWeight,
                                inputGrad: dx, weightGrad: dLinearWeight, biasGrad: dLinearBias)
        })

        let table = try filled([V, C]), dTable = try Tensor(zeros: [V, C])
        let ids = (0..<N).map { Int32(($0 * 7919) % V) }
        try record("embedding", "\(bt) V=\(V) C=\(C)", forward: {
            try Embedding.forward(ids: ids, table: table, output: y)
        }, backward: {
            try Embedding.backward(ids: ids, outputGrad: dy, tableGrad: dTable)
        })

        try record("layernorm", "\(bt) C=\(C)", forward: {
            try LayerNorm.forward(input: x, weight: weight, bias: bias, output: y, mean: mean, rstd: rstd)
        }, backward: {
            try LayerNorm.backward(outputGrad: dy, input: x, weight: weight, mean: mean, rstd: rstd,
                                   inputGrad: dx, weightGrad: dWeight, biasGrad: dBias)
        })
        try record("rmsnorm", "\(bt) C=\(C)", forward: {
            try RMSNorm.forward(input: x, weight: weight, output: y, rstd: rstd)
        }, backward: {
            try RMSNorm.backward(outputGrad: dy, input: x, weight: weight, rstd: rstd, inputGrad: dx, weightGrad: dWeight)
        })

        let gate = try filled([B, T, H], scale: 3), dGate = try Tensor(zeros: [B, T, H])
        let gateUp = try filled([B, T, 2 * H], scale: 3), dGateUp = try Tensor(zeros: [B, T, 2 * H])
        try record("gelu (tanh)", "\(bt) H=\(H)", forward: {
            try GELU.forward(input: gate, output: linearOut)
        }, backward: {
            try GELU.backward(input: gate, outputGrad: linearGrad, inputGrad: dGate)
        })
        try record("silu", "\(bt) H=\(H)", forward: {
            try SiLU.forward(input: gate, output: linearOut)
        }, backward: {
            try SiLU.backward(input: gate, outputGrad: linearGrad, inputGrad: dGate)
        })
        try record("swiglu", "\(bt) H=\(H)", forward: {
            try SwiGLU.forward(gateUp: gateUp, output: linearOut)
        }, backward: {
            try SwiGLU.backward(gateUp: gateUp, outputGrad: linearGrad, gateUpGrad: dGateUp)
        })

        let rope = try RotaryEmbedding(headSize: headSize, maxPositions: T)
        let queries = try filled([B, T, c.queryHeads, headSize], scale: 1)
        try record("rope", "\(bt) NH=\(c.queryHeads) HS=\(headSize)", forward: {
            try rope.forward(queries, batch: B, time: T)
        }, backward: {
            try rope.backward(queries, batch: B, time: T)
        })

        let attention = try Attention(batch: B, time: T, queryHeads: c.queryHeads,
                                      keyValueHeads: c.keyValueHeads, headSize: headSize)
        let keys = try filled([B, T, c.keyValueHeads, headSize], scale: 1)
        let values = try filled([B, T, c.keyValueHeads, headSize], scale: 1)
        let dKeys = try Tensor(zeros: keys.shape), dValues = try Tensor(zeros: values.shape)
        let probabilities = try Tensor(zeros: attention.probabilityShape)
        let scratch = try Tensor(zeros: attention.probabilityShape)
        let attentionOut = try Tensor(zeros: queries.shape), dQueries = try Tensor(zeros: queries.shape)
        let dAttention = try filled(queries.shape)
        try record("attention (causal, GQA)", "\(bt) NH=\(c.queryHeads) NKV=\(c.keyValueHeads) HS=\(headSize)", forward: {
            try attention.forward(query: queries, key: keys, value: values, output: attentionOut, probabilities: probabilities)
        }, backward: {
            try attention.backward(outputGrad: dAttention, query: queries, key: keys, value: values,
                                   probabilities: probabilities, queryGrad: dQueries, keyGrad: dKeys,
                                   valueGrad: dValues, scratch: scratch)
        })

        let targets = (0..<N).map { Int32(($0 * 104_729) % V) }
        let logits = try Tensor(zeros: [c.crossEntropyChunk, V])
        try record("cross-entropy (fused)*", "\(bt) C=\(C) V=\(V) R=\(c.crossEntropyChunk)", forward: {
            _ = try CrossEntropy.forward(hidden: x, weight: table, targets: targets, scratch: logits)
        }, backward: {
            _ = try CrossEntropy.forwardBackward(hidden: x, weight: table, targets: targets, scratch: logits,
                                                 hiddenGrad: dx, weightGrad: dTable)
        })
        return results
    }

    /// The element-wise kernels on one worker and on every core.
    func measureParallelism() throws -> [KernelBenchmarkReport.ParallelResult] {
        let c = configuration
        let (B, T, C, H) = (c.batch, c.time, c.channels, c.hidden)
        let cores = Parallelism.cores
        var results: [KernelBenchmarkReport.ParallelResult] = []
        func compare(_ kernel: String, _ work: (Parallelism) throws -> Void) rethrows {
            let serial = try Stopwatch.median(repeats: c.repeats) { try work(.serial) }
            let parallel = try Stopwatch.median(repeats: c.repeats) { try work(cores) }
            let result = KernelBenchmarkReport.ParallelResult(
                kernel: kernel, serialMilliseconds: serial * 1000, parallelMilliseconds: parallel * 1000,
                workers: cores.workers)
            progress("\(kernel): \(rounded(result.speedup))x on \(cores.workers) workers")
            results.append(result)
        }
        let a = try filled([B, T, C]), b = try filled([B, T, C]), sum = try Tensor(zeros: [B, T, C])
        try compare("residual add (B,T,C)") { try Elementwise.add(a, b, into: sum, parallelism: $0) }
        let weight = try filled([C], scale: 1), rstd = try Tensor(zeros: [B * T])
        try compare("rmsnorm forward (B,T,C)") {
            try RMSNorm.forward(input: a, weight: weight, output: sum, rstd: rstd, parallelism: $0)
        }
        let gate = try filled([B, T, H], scale: 3), out = try Tensor(zeros: [B, T, H])
        let gateUp = try filled([B, T, 2 * H], scale: 3)
        try compare("swiglu forward (B,T,H)") { try SwiGLU.forward(gateUp: gateUp, output: out, parallelism: $0) }
        try compare("gelu forward (B,T,H)") { try GELU.forward(input: gate, output: out, parallelism: $0) }
        // As many floats as SmolLM2-135M has parameters: the global gradient norm of a full fine-tune.
        let kvChannels = C / c.queryHeads * c.keyValueHeads
        let perLayer = 2 * C * C + 2 * C * kvChannels + 3 * C * H + 2 * C
        let gradients = try filled([c.layers * perLayer + c.vocabulary * C + C])
        compare("grad norm Σg² (\(gradients.count / 100_000) ×100k floats)") { _ = Elementwise.sumOfSquares(gradients, parallelism: $0) }
        return results
    }

    private func rounded(_ value: Double) -> String {
        String(Double(Int(value * 1000)) / 1000)
    }
}
