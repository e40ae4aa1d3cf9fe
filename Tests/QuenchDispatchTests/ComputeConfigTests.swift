import Foundation
import Testing
@testable import QuenchDispatch
import QuenchConfig
import QuenchTestSupport

/// `configs/compute.yaml`: the shipped file parses, and mistakes name their key.
@Suite struct ComputeConfigTests {
    static let repository = SharedFixtures.repository

    @Test func theShippedComputeFileParses() throws {
        let config = try ComputeConfig.load(contentsOf: Self.repository.appendingPathComponent("configs/compute.yaml"))
        #expect(try config.backend(named: "this-machine").kind == .process)
        let ssh = try config.backend(named: "gpu-box")
        #expect(ssh.kind == .ssh && ssh.ssh?.port == 22 && ssh.ssh?.knownHostsFile.hasPrefix("/") == true)
        let slurm = try config.backend(named: "cluster")
        #expect(slurm.kind == .slurm && slurm.slurm?.gpus == 1 && slurm.ssh?.host != nil)
        let ranks = try config.backend(named: "slurm-2x")
        #expect(ranks.kind == .slurm && ranks.slurm == SlurmResources(partition: "cpu", timeLimit: "04:00:00", cpus: 32,
                                                                      memory: "120G", nodes: 2, tasksPerNode: 1,
                                                                      launcher: .srun))
        #expect(try ranks.slurm?.tasks() == 2)
        #expect(throws: DispatchError.unknownBackend(name: "nope", known: ["cluster", "gpu-box", "slurm-2x", "this-machine"])) {
            try config.backend(named: "nope")
        }
    }

    @Test func mistakesNameTheKey() {
        let cases: [(String, String)] = [
            ("backends:\n  a: {kind: cloud}", "backends.a.kind"),
            ("backends:\n  a: {kind: ssh, host: h, user: u, identity_file: /k}", "backends.a.known_hosts_file"),
            ("backends:\n  a: {kind: ssh, host: h, user: u, known_hosts_file: /k}", "backends.a.identity_file"),
            ("backends:\n  a: {kind: process, hots: h}", "backends.a.hots"),
            ("backends:\n  a: {kind: slurm, slurm: {time_limit: soon}}", "backends.a.slurm.time_limit"),
            ("backends:\n  a: {kind: process, slurm: {cpus: 2}}", "backends.a.slurm"),
            ("backends:\n  a: {kind: ssh, host: h, user: u, identity_file: /k, known_hosts_file: /n, port: 70000}", "backends.a.port"),
            ("servers: {}", "servers"),
            ("backends:\n  a: {kind: slurm, slurm: {nodes: 0}}", "backends.a.slurm.nodes"),
            ("backends:\n  a: {kind: slurm, slurm: {tasks_per_node: two}}", "backends.a.slurm.tasks_per_node"),
            ("backends:\n  a: {kind: slurm, slurm: {nodes: 9223372036854775807, tasks_per_node: 2}}",
             "backends.a.slurm.tasks_per_node"),
            ("backends:\n  a: {kind: slurm, slurm: {allow_run_as_root: yes}}", "backends.a.slurm.allow_run_as_root"),
        ]
        for (yaml, key) in cases {
            #expect("\(yaml)") { try ComputeConfig.load(yaml: yaml, file: "c.yaml") } throws: { error in
                guard case ConfigFileError.invalid(let file, let problems) = error else { return false }
                return file == "c.yaml" && problems.map(\.key).contains(key)
            }
        }
    }

    /// The rank settings refused with the file, line and key, and a message that says what to write.
    @Test func rankSettingsNameTheirLineKeyAndWhatToWrite() {
        let cases: [(String, String, Int, String)] = [
            ("backends:\n  a:\n    kind: slurm\n    slurm:\n      cpus: 4\n      cpus_per_task: 8",
             "backends.a.slurm.cpus_per_task", 6, "`cpus` and `cpus_per_task` are the same"),
            ("backends:\n  a:\n    kind: slurm\n    slurm:\n      tasks_per_node: 2\n      launcher: pbs",
             "backends.a.slurm.launcher", 6, "one of 'srun', 'mpirun'"),
            ("backends:\n  a:\n    kind: slurm\n    slurm:\n      tasks_per_node: 2\n      allow_run_as_root: true",
             "backends.a.slurm.allow_run_as_root", 6, "`launcher: mpirun`"),
        ]
        for (yaml, key, line, hint) in cases {
            #expect("\(yaml)") { try ComputeConfig.load(yaml: yaml, file: "c.yaml") } throws: { error in
                guard case ConfigFileError.invalid(let file, let problems) = error,
                      let problem = problems.first(where: { $0.key == key }) else { return false }
                return file == "c.yaml" && problem.line == line && "\(error)".contains(hint)
            }
        }
        let given = try? ComputeConfig.load(yaml: "backends:\n  a: {kind: slurm, slurm: {cpus_per_task: 3, tasks_per_node: 2, "
                                                + "launcher: mpirun, allow_run_as_root: true}}", file: "c.yaml")
        #expect(given?.backends["a"]?.slurm == SlurmResources(cpus: 3, tasksPerNode: 2, launcher: .mpirun, allowRunAsRoot: true))
    }

    /// `local` trains in the quench process in a job spec; the compute file refuses it as a kind and as
    /// a name, saying what to write instead, rather than read it as a detached process.
    @Test func theInProcessNameLocalIsRefusedWithTheNewName() {
        let cases: [(String, String, String)] = [
            ("backends:\n  a: {kind: local}", "backends.a.kind", "kind: process"),
            ("backends:\n  local: {kind: process}", "backends.local", "compute.backend: local"),
        ]
        for (yaml, key, hint) in cases {
            #expect("\(yaml)") { try ComputeConfig.load(yaml: yaml, file: "c.yaml") } throws: { error in
                guard case ConfigFileError.invalid(_, let problems) = error else { return false }
                return problems.map(\.key).contains(key) && "\(error)".contains(hint)
            }
        }
        // `quench jobs submit --backend local` names no backend, and says where `local` belongs.
        #expect("\(DispatchError.unknownBackend(name: "local", known: ["here"]))".contains("`kind: process`"))
        #expect(!"\(DispatchError.unknownBackend(name: "nope", known: ["here"]))".contains("kind"))
    }

    /// Job records written before the rename say `local` for the detached process: still readable.
    @Test func aJobRecordSayingLocalIsTheProcessKind() throws {
        let decoded = try JSONDecoder().decode([BackendKind].self, from: Data(#"["local", "process", "ssh"]"#.utf8))
        #expect(decoded == [.process, .process, .ssh])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([BackendKind].self, from: Data(#"["cloud"]"#.utf8)) }
        #expect(String(decoding: try JSONEncoder().encode([BackendKind.process]), as: UTF8.self) == #"["process"]"#)
    }

    @Test func sshArgumentsPinTheHostKeyAndNeverPrompt() {
        let host = SSHHost(settings: SSHSettings(host: "example.org", port: 2222, user: "q", identityFile: "/k/id",
                                                 knownHostsFile: "/k/known hosts"))
        let arguments = host.sshArguments("sh -s")
        let joined = arguments.joined(separator: " ")
        for option in ["BatchMode=yes", "StrictHostKeyChecking=yes", "UserKnownHostsFile=\"/k/known hosts\"",
                       "GlobalKnownHostsFile=/dev/null", "IdentitiesOnly=yes"] {
            #expect(joined.contains(option), "\(option)")
        }
        #expect(arguments.starts(with: ["-F", "/dev/null", "-i", "/k/id"]))
        #expect(arguments.suffix(4) == ["q", "example.org", "--", "sh -s"])
        #expect(ShellQuote.quote("it's") == "'it'\\''s'")
    }
}
