import Foundation
import Testing
@testable import QuenchDispatch

/// An error from a child that Ctrl-C ended may reach the command before its own handler has run; it
/// waits for the handler (here: no Ctrl-C comes, so it waits out the grace), any other error does not.
struct InterruptGraceTests {
    @Test func anErrorFromAChildEndedByCtrlCWaitsForTheHandler() {
        let child = DispatchError.commandFailed(host: "this machine", action: "reading the state of job q1", status: 130, message: "")
        let started = Date()
        Interrupt.waitIfInterrupted(after: child)
        #expect(Date().timeIntervalSince(started) >= Interrupt.childGraceSeconds - 0.05)
    }

    @Test(arguments: [
        DispatchError.commandFailed(host: "this machine", action: "reading the state of job q1", status: 1, message: "no such job"),
        DispatchError.unknownJob(id: "q1"),
    ])
    func anyOtherErrorGoesThroughAtOnce(error: DispatchError) {
        let started = Date()
        Interrupt.waitIfInterrupted(after: error)
        #expect(Date().timeIntervalSince(started) < 1)
    }
}
