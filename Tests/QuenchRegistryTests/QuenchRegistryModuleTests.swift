import Testing
@testable import QuenchRegistry
