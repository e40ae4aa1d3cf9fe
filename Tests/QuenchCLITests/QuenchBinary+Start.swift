import Foundation
import QuenchTestSupport

extension QuenchBinary {
    /// Starts `quench arguments` in the background with `environment` merged over this process's,
    /// standard output and error both into `log`. Process makes it the leader of a process group of
    /// its own, as a shell does at a terminal, so `kill(-pid, SIGINT)` is a Ctrl-C there.
    static func start(_ arguments: [String], environment: [String: String], log: URL) throws -> Process {
        try ProcessRunner.start(url, arguments, environment: environment, log: log)
    }
}
