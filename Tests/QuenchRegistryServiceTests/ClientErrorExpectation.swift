import QuenchRegistryClient
import Testing

/// The `RegistryClientError` `body` throws; records an issue when it throws nothing or something else.
func clientError(_ body: () throws -> Void) -> RegistryClientError? {
    do {
        try body()
        Issue.record("expected a RegistryClientError, but the call succeeded")
    } catch let error as RegistryClientError {
        return error
    } catch {
        Issue.record("expected a RegistryClientError, got \(error)")
    }
    return nil
}
