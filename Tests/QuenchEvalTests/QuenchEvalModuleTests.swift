import Testing
@testable import QuenchEval
