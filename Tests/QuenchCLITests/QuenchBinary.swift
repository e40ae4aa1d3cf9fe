import Foundation
import QuenchTestSupport

/// The built `quench` binary, run the way a user runs it.
enum QuenchBinary {
    /// The binary built with the tests (the same one plays the remote side in dispatch tests).
    static var url: URL { ProcessRunner.productsDirectory.appendingPathComponent("quench") }

    /// Runs `quench arguments` with `environment` merged over `base`, in `directory` when given.
    static func run(_ arguments: [String], environment: [String: String] = [:],
                    base: [String: String] = ProcessInfo.processInfo.environment, in directory: URL? = nil) throws -> ProcessResult {
        try ProcessRunner.run(url, arguments, environment: environment, base: base, in: directory)
    }
}
