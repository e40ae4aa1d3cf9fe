import Foundation
@testable import QuenchDistributed
import Testing

@Suite struct ProcessGroupsTests {
    /// What mpirun sets for rank 0 of 2: enough for `join` to decide it must load MPI.
    static let mpirunRank0 = ["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0"]
    static let openMPI = "/usr/lib/x86_64-linux-gnu/libmpi.so.40"

    /// `ProcessGroups.join` on `environment`, where MPI never starts (so nothing may be reported).
    static func join(_ environment: [String: String]) throws(DistributedError) -> any ProcessGroup {
        try ProcessGroups.join(environment: environment) { error, rank, _ in Issue.record("rank \(rank) reported \(error)") }
    }

    @Test func aPlainProcessJoinsNoMPI() throws {
        let group = try Self.join(["QUENCH_MPI_LIBRARY": "/nonexistent/libmpi.so.40"])
        #expect(group is SoloGroup)
        #expect(group.rank == 0 && group.size == 1)
    }

    @Test func aMissingLibraryIsNamedWithTheLoadersReason() {
        var environment = Self.mpirunRank0
        environment["QUENCH_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40"
        let error = #expect(throws: DistributedError.self) { try Self.join(environment) }
        guard case .libraryUnavailable(let path, let launcher, let reason) = error else {
            Issue.record("expected libraryUnavailable, got \(String(describing: error))")
            return
        }
        #expect(path == "/nonexistent/libmpi.so.40" && launcher == "mpirun")
        #expect(reason.contains("No such file"))
        #expect(error?.description.contains("install openmpi-bin") == true)
    }

    @Test func aLibraryThatIsNotMPIIsRefusedNamingTheMissingFunction() {
        var environment = Self.mpirunRank0
        environment["QUENCH_MPI_LIBRARY"] = "libc.so.6"
        let error = #expect(throws: DistributedError.self) { try Self.join(environment) }
        guard case .libraryUnavailable(let path, _, let reason) = error else {
            Issue.record("expected libraryUnavailable, got \(String(describing: error))")
            return
        }
        #expect(path == "libc.so.6")
        #expect(reason.contains("MPI_Get_library_version"))
    }

    @Test(arguments: ["", "0", "-5", "ten", "1.5", "86401"])
    func aTimeoutThatIsNotSecondsIsRefusedBeforeMPIIsLoaded(value: String) {
        var environment = Self.mpirunRank0
        environment["QUENCH_COLLECTIVE_TIMEOUT"] = value
        environment["QUENCH_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40"
        let error = #expect(throws: DistributedError.self) { try Self.join(environment) }
        #expect(error == .invalidSetting(variable: "QUENCH_COLLECTIVE_TIMEOUT", value: value,
                                         expected: "a whole number of seconds from 1 to 86400"))
        #expect(error?.description.contains("QUENCH_COLLECTIVE_TIMEOUT") == true)
    }

    @Test func theTimeoutIsHalfAnHourUnlessSet() throws {
        #expect(try CollectiveTimeout(environment: [:]).seconds == 1800)
        #expect(try CollectiveTimeout(environment: ["QUENCH_COLLECTIVE_TIMEOUT": "45"]).seconds == 45)
    }

    @Test func anEmptyLibraryPathIsRefused() {
        var environment = Self.mpirunRank0
        environment["QUENCH_MPI_LIBRARY"] = ""
        #expect(throws: DistributedError.invalidSetting(variable: "QUENCH_MPI_LIBRARY", value: "",
                                                        expected: "the path of Open MPI's libmpi.so.40")) {
            try Self.join(environment)
        }
    }

    @Test(arguments: ["MPICH Version:\t4.0.2\nMPICH Release date:\tThu Apr  7 12:34:45 CDT 2022", "Open MPI v3.1.6, package: Open MPI", ""])
    func anMPIThatIsNotOpenMPI4Or5IsRefusedNamingIt(version: String) {
        #expect(throws: DistributedError.unsupportedLibrary(path: "/opt/mpi/lib/libmpi.so.12", version: version)) {
            try MPILibrary.requireSupported(version: version, path: "/opt/mpi/lib/libmpi.so.12")
        }
        #expect(DistributedError.unsupportedLibrary(path: "/opt/mpi/lib/libmpi.so.12", version: version).description
            .contains("QUENCH_MPI_LIBRARY"))
    }

    @Test(arguments: ["Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4, May 26, 2022",
                      "Open MPI v5.0.7, package: Open MPI, ident: 5.0.7"])
    func openMPI4And5AreAccepted(version: String) throws {
        try MPILibrary.requireSupported(version: version, path: "libmpi.so.40")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: openMPI), "Open MPI is not installed (make setup installs openmpi-bin)"))
    func debiansOpenMPILoadsWithEveryFunctionAndHandle() throws {
        // Loading resolves every symbol and reads the version; it does not initialise MPI (no other
        // MPI function may be called here, in a process no launcher started).
        let library = try MPILibrary.load(path: MPILibrary.defaultPath, launcher: "mpirun")
        #expect(library.version.hasPrefix("Open MPI v4.") || library.version.hasPrefix("Open MPI v5."))
    }
}
