import CDNNL
import Foundation

/// C (M,N) f32 = alpha · op(A) · op(B) + beta · C with A and B in bf16, on oneDNN's `matmul`
/// primitive (fp32 accumulation; on AVX512_BF16 the `brg:avx512_core_bf16` kernels).
///
/// Operands are row-major with leading dimensions, as `BLAS.gemm` takes them; a transpose is only a
/// different pair of strides. Primitives are created once per (shape, transposes, leading
/// dimensions, alpha, beta) and kept; they run on the calling thread's OpenMP team (oneDNN's
/// OpenMP runtime is libgomp, the same team `Parallelism` uses).
enum OneDNNMatmul {
    /// oneDNN's argument indices (DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST).
    private static let sourceArgument: Int32 = 1, weightsArgument: Int32 = 33, destinationArgument: Int32 = 17

    /// What a primitive is specialised for.
    struct Shape: Hashable {
        let m: Int, n: Int, k: Int
        let transA: Bool, transB: Bool
        let lda: Int, ldb: Int, ldc: Int
        let alphaBits: UInt32, betaBits: UInt32
    }

    /// A ready primitive and the memory objects it runs on (their data pointers are set per call).
    final class Prepared {
        let primitive: dnnl_primitive_t
        let source: dnnl_memory_t, weights: dnnl_memory_t, destination: dnnl_memory_t
        /// oneDNN's name for the kernel it chose (`brg:avx512_core_bf16`, ...).
        let implementation: String

        init(primitive: dnnl_primitive_t, source: dnnl_memory_t, weights: dnnl_memory_t,
             destination: dnnl_memory_t, implementation: String) {
            (self.primitive, self.source, self.weights, self.destination) = (primitive, source, weights, destination)
            self.implementation = implementation
        }

        deinit {
            dnnl_primitive_destroy(primitive)
            dnnl_memory_destroy(source)
            dnnl_memory_destroy(weights)
            dnnl_memory_destroy(destination)
        }
    }

    /// The CPU engine, its stream and the primitive cache, behind one lock: a primitive and its
    /// memory objects are used by one caller at a time.
    final class Context: @unchecked Sendable {
        let engine: dnnl_engine_t
        let stream: dnnl_stream_t
        let lock = NSLock()
        var prepared: [Shape: Prepared] = [:]

        init() throws {
            var engine: dnnl_engine_t?
            try check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine_create")
            guard let engine else { throw TensorError.oneDNNFailed(operation: "engine_create", status: "no engine") }
            var stream: dnnl_stream_t?
            try check(dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue)), "stream_create")
            guard let stream else { throw TensorError.oneDNNFailed(operation: "stream_create", status: "no stream") }
            (self.engine, self.stream) = (engine, stream)
        }
    }

    /// Made at first use; a failure (no usable CPU engine) is reported by every call.
    private static let context = Result { try Context() }

    /// Runs the product; every extent is checked as `BLAS.gemm` checks it (in elements).
    static func multiply(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafeBufferPointer<UInt16>, lda: Int, b: UnsafeBufferPointer<UInt16>, ldb: Int,
        beta: Float, c: UnsafeMutableBufferPointer<Float>, ldc: Int
    ) throws {
        try BLAS.checkOperands(transA, transB, m: m, n: n, k: k,
                               a: a.count, lda: lda, b: b.count, ldb: ldb, c: c.count, ldc: ldc)
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // No products to sum: C = beta · C, as BLAS defines it.
            for row in 0..<m { for column in 0..<n { c[row * ldc + column] *= beta } }
            return
        }
        let context = try context.get()
        let shape = Shape(m: m, n: n, k: k, transA: transA == .transposed, transB: transB == .transposed,
                          lda: lda, ldb: ldb, ldc: ldc, alphaBits: alpha.bitPattern, betaBits: beta.bitPattern)
        context.lock.lock()
        defer { context.lock.unlock() }
        let prepared = try context.prepared[shape] ?? prepare(shape, context)
        context.prepared[shape] = prepared
        try check(dnnl_memory_set_data_handle(prepared.source, UnsafeMutableRawPointer(mutating: a.baseAddress)),
                  "memory_set_data_handle")
        try check(dnnl_memory_set_data_handle(prepared.weights, UnsafeMutableRawPointer(mutating: b.baseAddress)),
                  "memory_set_data_handle")
        try check(dnnl_memory_set_data_handle(prepared.destination, UnsafeMutableRawPointer(c.baseAddress)),
                  "memory_set_data_handle")
        let arguments = [
            dnnl_exec_arg_t(arg: sourceArgument, memory: prepared.source),
            dnnl_exec_arg_t(arg: weightsArgument, memory: prepared.weights),
            dnnl_exec_arg_t(arg: destinationArgument, memory: prepared.destination),
        ]
        try check(dnnl_primitive_execute(prepared.primitive, context.stream, Int32(arguments.count), arguments),
                  "matmul execute")
        try check(dnnl_stream_wait(context.stream), "stream_wait")
    }

    /// The kernel oneDNN chose for a product of this shape (for benchmarks and reports).
    static func implementation(m: Int, n: Int, k: Int) throws -> String {
        let context = try context.get()
        let shape = Shape(m: m, n: n, k: k, transA: false, transB: true, lda: k, ldb: k, ldc: n,
                          alphaBits: Float(1).bitPattern, betaBits: Float(0).bitPattern)
        context.lock.lock()
        defer { context.lock.unlock() }
        let prepared = try context.prepared[shape] ?? prepare(shape, context)
        context.prepared[shape] = prepared
        return prepared.implementation
    }

    /// Creates the primitive and memory objects for `shape`.
    private static func prepare(_ shape: Shape, _ context: Context) throws -> Prepared {
        // Logical A (M,K), B (K,N), C (M,N); a transposed operand is stored the other way round.
        var sourceDesc = try memoryDescriptor(
            rows: shape.m, columns: shape.k, leading: shape.lda, transposed: shape.transA, type: dnnl_bf16)
        var weightsDesc = try memoryDescriptor(
            rows: shape.k, columns: shape.n, leading: shape.ldb, transposed: shape.transB, type: dnnl_bf16)
        var destinationDesc = try memoryDescriptor(
            rows: shape.m, columns: shape.n, leading: shape.ldc, transposed: false, type: dnnl_f32)
        var operation = dnnl_matmul_desc_t()
        try check(dnnl_matmul_desc_init(&operation, &sourceDesc, &weightsDesc, nil, &destinationDesc),
                  "matmul_desc_init")
        var attributes: dnnl_primitive_attr_t?
        try check(dnnl_primitive_attr_create(&attributes), "primitive_attr_create")
        defer { dnnl_primitive_attr_destroy(attributes) }
        var alpha = Float(bitPattern: shape.alphaBits)
        if alpha != 1 { try check(dnnl_primitive_attr_set_output_scales(attributes, 1, 0, &alpha), "output_scales") }
        let beta = Float(bitPattern: shape.betaBits)
        if beta != 0 {
            var postOps: dnnl_post_ops_t?
            try check(dnnl_post_ops_create(&postOps), "post_ops_create")
            defer { dnnl_post_ops_destroy(postOps) }
            try check(dnnl_post_ops_append_sum(postOps, beta), "post_ops_append_sum")
            try check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "set_post_ops")
        }
        var descriptor: dnnl_primitive_desc_t?
        try withUnsafePointer(to: &operation) { pointer in
            try check(dnnl_primitive_desc_create(&descriptor, pointer, attributes, context.engine, nil),
                      "matmul primitive_desc_create (M=\(shape.m) N=\(shape.n) K=\(shape.k))")
        }
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var name: UnsafePointer<CChar>?
        try check(dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name), "query impl")
        var primitive: dnnl_primitive_t?
        try check(dnnl_primitive_create(&primitive, descriptor), "primitive_create")
        var memories: [dnnl_memory_t] = []
        for var desc in [sourceDesc, weightsDesc, destinationDesc] {
            var memory: dnnl_memory_t?
            // DNNL_MEMORY_NONE: the data pointer is set before each run.
            try check(dnnl_memory_create(&memory, &desc, context.engine, nil), "memory_create")
            if let memory { memories.append(memory) }
        }
        guard let primitive, memories.count == 3 else {
            throw TensorError.oneDNNFailed(operation: "matmul", status: "no primitive created")
        }
        return Prepared(primitive: primitive, source: memories[0], weights: memories[1], destination: memories[2],
                        implementation: name.map { String(cString: $0) } ?? "unknown")
    }

    /// A 2-D descriptor for a (rows, columns) matrix stored row-major with row stride `leading`,
    /// or, transposed, stored (columns, rows) with that row stride.
    private static func memoryDescriptor(rows: Int, columns: Int, leading: Int, transposed: Bool,
                                         type: dnnl_data_type_t) throws -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        var dims = dnnl_dims_t(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var strides = dims
        dims.0 = Int64(rows)
        dims.1 = Int64(columns)
        (strides.0, strides.1) = transposed ? (1, Int64(leading)) : (Int64(leading), 1)
        let status = withUnsafePointer(to: &dims) { dimsTuple in
            withUnsafePointer(to: &strides) { stridesTuple in
                let count = Int(DNNL_MAX_NDIMS)
                return dimsTuple.withMemoryRebound(to: Int64.self, capacity: count) { dimsPointer in
                    stridesTuple.withMemoryRebound(to: Int64.self, capacity: count) { stridesPointer in
                        dnnl_memory_desc_init_by_strides(&desc, 2, dimsPointer, type, stridesPointer)
                    }
                }
            }
        }
        try check(status, "memory_desc_init")
        return desc
    }

    /// Throws `TensorError.oneDNNFailed` unless `status` is success.
    private static func check(_ status: dnnl_status_t, _ operation: String) throws {
        guard status != dnnl_success else { return }
        throw TensorError.oneDNNFailed(operation: operation, status: String(cString: dnnl_status2str(status)))
    }
}
