import Foundation

/// A throwaway CA and a server certificate for 127.0.0.1 (the hub) and 127.0.0.2 (the CDN), made with
/// the openssl command line at test time.
public struct TestCertificates {
    /// The CA certificate a client trusts (`ca_bundle`).
    public let caBundle: URL
    /// The server's certificate, signed by the CA.
    public let certificate: URL
    /// The server's private key.
    public let key: URL

    /// Writes the CA, the server key and certificate (and their openssl configs) into `directory`.
    public init(in directory: URL) throws {
        caBundle = directory.appendingPathComponent("ca.pem")
        certificate = directory.appendingPathComponent("server.pem")
        key = directory.appendingPathComponent("server.key")
        let caConfig = directory.appendingPathComponent("ca.cnf")
        let leafConfig = directory.appendingPathComponent("leaf.cnf")
        try """
            [req]
            distinguished_name = dn
            x509_extensions = ext
            prompt = no
            [dn]
            CN = Quench Test CA
            [ext]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            """.write(to: caConfig, atomically: true, encoding: .utf8)
        try """
            basicConstraints = CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = IP:127.0.0.1, IP:127.0.0.2
            """.write(to: leafConfig, atomically: true, encoding: .utf8)
        let caKey = directory.appendingPathComponent("ca.key").path
        let request = directory.appendingPathComponent("server.csr").path
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(["req", "-x509", "-config", caConfig.path] + ec + ["-keyout", caKey, "-out", caBundle.path, "-days", "2"])
        try Self.openssl(["req", "-new"] + ec + ["-keyout", key.path, "-out", request, "-subj", "/CN=quench-test-hub"])
        try Self.openssl(["x509", "-req", "-in", request, "-CA", caBundle.path, "-CAkey", caKey, "-set_serial", "1",
                          "-out", certificate.path, "-days", "2", "-extfile", leafConfig.path])
    }

    private static func openssl(_ arguments: [String]) throws {
        guard try ProcessRunner.run("/usr/bin/openssl", arguments).status == 0 else {
            throw TestSetupError.command("openssl \(arguments.prefix(2).joined(separator: " ")) failed")
        }
    }
}
