import Hummingbird
import NIOConcurrencyHelpers
import QuenchRegistry

/// What the access log says about one request, filled in by the handler as it goes.
final class RequestRecord: Sendable {
    private struct State {
        var identity: String?
        var bytesIn: Int64 = 0
    }

    private let state = NIOLockedValueBox(State())

    /// The authenticated name, or nil before (or without) authentication.
    var identity: String? { state.withLockedValue { $0.identity } }
    /// Body bytes the handler read.
    var bytesIn: Int64 { state.withLockedValue { $0.bytesIn } }

    func authenticated(as name: String) {
        state.withLockedValue { $0.identity = name }
    }

    func received(_ count: Int) {
        state.withLockedValue { $0.bytesIn += Int64(count) }
    }
}

/// The request context of the registry API: Hummingbird's core plus the access-log record.
struct RegistryRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let record = RequestRecord()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
