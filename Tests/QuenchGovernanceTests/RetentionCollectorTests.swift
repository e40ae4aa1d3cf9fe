import Foundation
import Testing
@testable import QuenchGovernance
import QuenchTestSupport

/// `quench gc`: old runs and logs go, registered artifacts stay.
@Suite struct RetentionCollectorTests {
    @discardableResult
    func make(_ directory: TemporaryDirectory, _ path: String, daysOld: Double) throws -> URL {
        let url = directory.url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: url)
        let date = Date(timeIntervalSinceNow: -daysOld * 86_400)
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: url.path)
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: url.deletingLastPathComponent().path)
        return url
    }

    @Test func removesOldRunsAndLogsButNeverProtectedOnes() throws {
        let directory = try TemporaryDirectory()
        try make(directory, "runs/old/metrics.jsonl", daysOld: 40)
        try make(directory, "runs/registered/adapter/model.safetensors", daysOld: 50)
        try make(directory, "runs/recent/metrics.jsonl", daysOld: 2)
        try make(directory, "logs/old.log", daysOld: 31)
        try make(directory, "logs/new.log", daysOld: 1)
        let collector = RetentionCollector(policy: RetentionPolicy(runsDays: 30, logsDays: 30), root: directory.url)
        let protected = ["runs/registered/adapter"]
        let dryRun = try collector.collect(protectedPaths: protected, dryRun: true)
        #expect(dryRun.removed.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["old", "old.log"])
        #expect(dryRun.protected.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["registered"])
        #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("runs/old").path))
        let plan = try collector.collect(protectedPaths: protected, dryRun: false)
        #expect(plan.removed.count == 2 && plan.freedBytes == 2)
        let runs = try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("runs").path).sorted()
        #expect(runs == ["recent", "registered"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("logs").path) == ["new.log"])
    }

    @Test func zeroDaysKeepsEverythingAndMissingDirectoriesAreEmpty() throws {
        let directory = try TemporaryDirectory()
        try make(directory, "runs/old/metrics.jsonl", daysOld: 400)
        let keepAll = RetentionCollector(policy: RetentionPolicy(runsDays: 0, logsDays: 0), root: directory.url)
        #expect(try keepAll.collect(protectedPaths: [], dryRun: false).removed.isEmpty)
        let elsewhere = RetentionCollector(policy: RetentionPolicy(runsDirectory: "nowhere"), root: directory.url)
        #expect(try elsewhere.collect(protectedPaths: [], dryRun: true).removed.isEmpty)
    }
}
