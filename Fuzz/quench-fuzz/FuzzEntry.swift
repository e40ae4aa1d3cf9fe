import Foundation
import QuenchFiles
import QuenchSecurity

// libFuzzer owns `main`; these two C entry points are all it calls. The target comes from the
// environment because libFuzzer reads every command-line argument as a flag or a corpus folder.

/// Called once before fuzzing: resolves the target (exiting with the list of targets when it is
/// unknown). Two other modes exit right away: QUENCH_FUZZ_LIST_TARGETS=1 prints the targets, one a
/// line; QUENCH_FUZZ_WRITE_SEEDS=<folder> writes the generated seeds there.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    let environment = ProcessInfo.processInfo.environment
    if environment[FuzzTarget.listKey] == "1" {
        print(FuzzTarget.allCases.map(\.rawValue).joined(separator: "\n"))
        exit(0)
    }
    if let folder = environment[SeedWriter.environmentKey] {
        do {
            try SeedWriter.write(into: URL(fileURLWithPath: folder))
            exit(0)
        } catch {
            FuzzSetup.fail("cannot write the generated seeds into \(folder): \(error)")
        }
    }
    switch FuzzTarget.selected {
    case .success(let target):
        do {
            try target.prepare()
        } catch {
            FuzzSetup.fail("cannot prepare target \(target.rawValue): \(error)")
        }
    case .failure(let problem):
        FuzzSetup.fail(problem.message)
    }
    return 0
}

/// Runs the selected target on one input. Thrown errors are the parsers doing their job; only a
/// trap or a sanitizer report (which end the process) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard case .success(let target) = FuzzTarget.selected else { return 0 }
    let input = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    try? target.run(input)
    return 0
}

/// Setup problems end the fuzzer before any input runs, with a message on stderr.
enum FuzzSetup {
    static func fail(_ message: String) -> Never {
        StandardStream.error.write("quench-fuzz: \(message)\n")
        exit(2)
    }
}
