import Testing

/// The registry-service tests share servers and clusters that take seconds to start, so they run one at a time.
@Suite(.serialized) struct RegistryServiceTests {}
