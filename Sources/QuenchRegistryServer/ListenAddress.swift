import Foundation

/// `--listen HOST:PORT` (`[::1]:PORT` for IPv6); port 0 lets the system choose one.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Parses `HOST:PORT`, refusing a missing host or a port outside 0...65535.
    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":") else { throw RegistryServerError.listenAddressInvalid(text) }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw RegistryServerError.listenAddressInvalid(text)
        }
        self.host = host
        self.port = port
    }

    /// True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The host as written in a URL (an IPv6 address in brackets).
    public var urlHost: String { host.contains(":") ? "[\(host)]" : host }

    public var description: String { "\(urlHost):\(port)" }
}
