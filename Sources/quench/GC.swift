import ArgumentParser
import Foundation
import QuenchGovernance
import QuenchJobs

/// What `quench gc` must keep: registered artifacts and the runs that produced them.
func protectedPathSource(runs: String) throws -> (any ProtectedPathSource)? {
    try RegistryGovernance.openIfPresent(runs: URL(fileURLWithPath: runs))
}

/// `quench gc`: removes runs and logs older than the retention policy.
struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove run directories and logs older than the retention policy (never registered artifacts).",
        discussion: """
            Retention comes from the policy's `retention` section (runs_days, logs_days, runs_directory, \
            logs_directory; 0 days keeps everything). A run's age is that of its newest file. Anything a \
            registry entry references is kept.

            Example:
              quench gc --dry-run
            """)

    @OptionGroup var policy: PolicyOptions

    @Flag(help: "List what would be removed without removing it.")
    var dryRun = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let retention = try policy.load().retention
        let protected = try protectedPathSource(runs: retention.runsDirectory)?.protectedPaths() ?? []
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let plan = try RetentionCollector(policy: retention, root: root).collect(protectedPaths: protected, dryRun: dryRun)
        if json {
            try printJSON(plan)
            return
        }
        for item in plan.removed { print("\(dryRun ? "would remove" : "removed") \(item.kind) \(item.path) (\(item.ageDays) days)") }
        for item in plan.protected { print("kept \(item.kind) \(item.path): referenced by the registry") }
        print("\(dryRun ? "would free" : "freed") \(plan.freedBytes) bytes in \(plan.removed.count) items")
    }
}
