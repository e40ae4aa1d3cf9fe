import Foundation
import QuenchFiles
import QuenchJobs
@testable import QuenchRegistry
import Testing

extension JobSpecTests {
    /// One name rule: what the registry would refuse after training, the spec refuses at load, naming the key.
    @Test(arguments: ["-leading-dash", ".hidden", "_under", "café", "has space", "a/b", String(repeating: "a", count: 101)])
    func aNameTheRegistryRefusesIsRefusedWhenTheSpecLoads(_ name: String) throws {
        #expect(throws: RegistryError.invalidName(name)) { try Registry.validate(name: name) }
        let quoted = "\"\(name)\""
        let registryName = try problems(valid.replacingOccurrences(of: "registry:\n  name: tiny", with: "registry:\n  name: \(quoted)"))
        #expect(registryName.map(\.key) == ["registry.name"])
        #expect(registryName.first.map { "\($0)".contains(ModelName.rule) } == true, "\(registryName)")
        let jobName = try problems(valid.replacingOccurrences(of: "name: tiny-job", with: "name: \(quoted)"))
        #expect(jobName.map(\.key) == ["name"])
    }

    @Test(arguments: ["tiny", "Model.v2_a-b", "7b"])
    func aNameTheRegistryAcceptsLoads(_ name: String) throws {
        try Registry.validate(name: name)
        let spec = try JobSpec.load(contentsOf: try write(valid.replacingOccurrences(of: "registry:\n  name: tiny", with: "registry:\n  name: \(name)")))
        #expect(spec.registry.name == name)
    }
}
