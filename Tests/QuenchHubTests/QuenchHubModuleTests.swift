import Testing
@testable import QuenchHub
