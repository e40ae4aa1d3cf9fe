import Testing
@testable import QuenchDispatch
