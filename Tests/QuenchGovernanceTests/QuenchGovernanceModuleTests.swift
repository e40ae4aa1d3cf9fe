import Testing
@testable import QuenchGovernance
