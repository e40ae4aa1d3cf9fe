import NIOPosix
import QuenchRegistry

/// The synchronous registry core behind the async server: every call runs on a thread pool of its
/// own, never on an event loop nor on the Swift cooperative pool, since the stores block on I/O.
struct RegistryWorker: Sendable {
    let registry: Registry
    let pool: NIOThreadPool

    /// Runs `body` with the registry on the pool and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (Registry) throws -> T) async throws -> T {
        let registry = self.registry
        return try await pool.runIfActive { try body(registry) }
    }

    /// Runs blocking file work (uploads, the upload area) on the same pool.
    func io<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }
}
