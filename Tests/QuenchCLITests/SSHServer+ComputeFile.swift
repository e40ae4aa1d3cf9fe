import Foundation
import QuenchTestSupport

extension SSHServer {
    /// A compute file with `loopback` (the real host key) and `impostor` (a different pinned key).
    func computeFile(workDirectory: URL, quench: URL = DispatchTestSupport.quench) throws -> URL {
        func entry(_ name: String, _ knownHosts: URL) -> String {
            """
              \(name):
                kind: ssh
                host: 127.0.0.1
                port: \(port)
                user: \(user)
                identity_file: \(clientKey.path)
                known_hosts_file: \(knownHosts.path)
                work_directory: \(workDirectory.path)
                quench: \(quench.path)
                poll_seconds: 0.5

            """
        }
        let url = folder.appendingPathComponent("compute.yaml")
        try Data(("backends:\n" + entry("loopback", knownHosts) + entry("impostor", wrongKnownHosts)).utf8).write(to: url)
        return url
    }
}
