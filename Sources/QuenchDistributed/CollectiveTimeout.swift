/// How long a rank waits for one collective before it gives the job up: `QUENCH_COLLECTIVE_TIMEOUT`
/// seconds, 30 minutes unless set. The longest legitimate wait is the other ranks waiting while rank
/// 0 writes a checkpoint of a large model, so the default is generous; a rank that died is usually
/// reported by the launcher much sooner.
public struct CollectiveTimeout: Equatable, Sendable {
    /// The environment variable that sets it.
    public static let variable = "QUENCH_COLLECTIVE_TIMEOUT"
    /// Used when the variable is not set.
    public static let standard = CollectiveTimeout(seconds: 1800)
    /// The longest it may be set to: a day.
    public static let longest = 86_400

    public let seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    /// The timeout `environment` sets, or the standard one; anything but a whole number of seconds
    /// from 1 to a day is refused, naming the variable.
    public init(environment: [String: String]) throws(DistributedError) {
        guard let text = environment[Self.variable] else {
            self = .standard
            return
        }
        guard let seconds = Int(text), (1 ... Self.longest).contains(seconds) else {
            throw .invalidSetting(variable: Self.variable, value: text,
                                  expected: "a whole number of seconds from 1 to \(Self.longest)")
        }
        self.seconds = seconds
    }
}
