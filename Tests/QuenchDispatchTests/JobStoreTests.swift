import Foundation
import Testing
@testable import QuenchDispatch
import QuenchTestSupport

/// The jobs record: the job sent with a bundle is found again (for a resumed run, or Ctrl-C), the
/// latest one when a bundle was sent twice, and a broken record elsewhere neither stops nor hides it.
@Suite struct JobStoreTests {
    @Test func theLatestJobOfABundleIsFoundPastAnUnreadableRecord() throws {
        let folder = try TemporaryDirectory.create("jobstore")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = JobStore(directory: folder.appendingPathComponent("jobs"))
        let settings = BackendSettings(name: "here", kind: .process, workDirectory: "/w", quench: "quench")
        let sent = folder.appendingPathComponent("bundle-a")
        func save(_ id: String, bundle: URL, at seconds: Double) throws {
            let job = SubmittedJob(id: id, backend: .process, remoteID: "1", remoteDirectory: "/w/\(id)", quenchVersion: "1",
                                   submittedAt: Date(timeIntervalSince1970: seconds))
            try store.save(JobRecord(job: job, settings: settings, bundle: bundle.path))
        }
        try save("q-later", bundle: sent, at: 2000)
        try save("q-earlier", bundle: sent, at: 1000)
        try save("q-other", bundle: folder.appendingPathComponent("bundle-b"), at: 3000)
        try Data("not a record".utf8).write(to: store.directory.appendingPathComponent("q-broken.json"))

        #expect(throws: DispatchError.self) { try store.list() }
        #expect(store.latest(bundle: sent)?.job.id == "q-later")
        #expect(store.latest(bundle: folder.appendingPathComponent("x/../bundle-a"))?.job.id == "q-later")
        #expect(store.latest(bundle: folder.appendingPathComponent("bundle-c")) == nil)
        #expect(JobStore(directory: folder.appendingPathComponent("none")).latest(bundle: sent) == nil)
    }
}
