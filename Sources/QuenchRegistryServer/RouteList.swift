import Hummingbird

/// The API's routes, collected before they go to the router so the outermost middleware knows which
/// methods each path takes: a known path asked with another method is answered 405 with `Allow`, not 404.
struct RouteList {
    typealias Handler = @Sendable (Request, RegistryRequestContext) async throws -> Response

    private var routes: [(method: HTTPRequest.Method, path: String, handler: Handler)] = []

    mutating func get(_ path: String, _ handler: @escaping Handler) { routes.append((.get, path, handler)) }
    mutating func post(_ path: String, _ handler: @escaping Handler) { routes.append((.post, path, handler)) }
    mutating func put(_ path: String, _ handler: @escaping Handler) { routes.append((.put, path, handler)) }

    /// Adds the access-log middleware, then the web UI's (headers and error pages under /ui), then every
    /// route, to `router`.
    func install(on router: Router<RegistryRequestContext>) {
        let table = RouteTable(routes.map { ($0.method.rawValue, $0.path) })
        router.add(middleware: AccessLogMiddleware(routes: table))
        router.add(middleware: UIPageMiddleware(routes: table))
        for route in routes {
            router.on(RouterPath(route.path), method: route.method, use: route.handler)
        }
    }
}

/// The path patterns of the API (`:name` one segment, `**` the rest) and their methods.
struct RouteTable: Sendable {
    private let patterns: [(method: String, segments: [Substring])]

    init(_ routes: [(method: String, path: String)]) {
        patterns = routes.map { ($0.method, $0.path.split(separator: "/")) }
    }

    /// The methods some route takes at `path`, sorted; empty for a path no route matches.
    func methods(at path: String) -> [String] {
        let segments = path.split(separator: "/")
        return Set(patterns.filter { Self.matches($0.segments, segments) }.map(\.method)).sorted()
    }

    private static func matches(_ pattern: [Substring], _ segments: [Substring]) -> Bool {
        for (index, part) in pattern.enumerated() {
            if part == "**" { return segments.count > index }
            guard index < segments.count, part.hasPrefix(":") || part == segments[index] else { return false }
        }
        return pattern.count == segments.count
    }
}
