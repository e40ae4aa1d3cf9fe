import Foundation
import QuenchJobs
import Testing

extension JobSpecTests {
    /// `registry.url` names a registry server for `quench run`; a URL carrying credentials or another scheme
    /// is refused at load, naming the key.
    @Test func aRegistryURLIsReadAndABadOneIsRefused() throws {
        let withURL = valid.replacingOccurrences(of: "registry:\n  name: tiny", with: "registry:\n  name: tiny\n  url: https://registry.example:8443")
        #expect(try JobSpec.load(contentsOf: try write(withURL)).registry.url == "https://registry.example:8443")
        #expect(try JobSpec.load(contentsOf: try write(valid)).registry.url == nil)
        for bad in ["https://ana:secret@registry.example", "ftp://registry.example", "registry.example"] {
            let text = valid.replacingOccurrences(of: "registry:\n  name: tiny", with: "registry:\n  name: tiny\n  url: \(bad)")
            let found = try problems(text)
            #expect(found.map(\.key) == ["registry.url"], "\(bad): \(found)")
            #expect(found.first.map { "\($0)".contains("QUENCH_REGISTRY_TOKEN") } == true)
        }
    }
}
