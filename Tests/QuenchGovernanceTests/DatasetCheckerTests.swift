import Foundation
import Testing
@testable import QuenchGovernance
import QuenchData
import QuenchTestSupport

/// Dataset checks, duplicates, overlap and canonical fingerprints.
@Suite struct DatasetCheckerTests {
    @Test func reportsEveryBadLineWithItsNumber() throws {
        let directory = try TemporaryDirectory()
        var bytes = Data()
        let lines: [Data] = [
            Data(#"{"prompt": "a", "completion": "b"}"#.utf8),
            Data(#"{"prompt": "caf"#.utf8) + Data([0xC3, 0x28]) + Data(#"", "completion": "x"}"#.utf8),
            Data("{not json".utf8),
            Data(#"{"prompt": "only"}"#.utf8),
            Data(#"{"prompt": " ", "completion": "\n"}"#.utf8),
            Data(#"{"prompt": "p", "completion": ""#.utf8) + Data(repeating: 0x61, count: 300) + Data(#""}"#.utf8),
            Data(),
            Data(#"[1, 2]"#.utf8),
            Data(#"{"prompt": 3, "completion": "c"}"#.utf8),
        ]
        for line in lines { bytes += line + Data([0x0A]) }
        let file = try directory.file("bad.jsonl", bytes: bytes)
        let report = try DatasetChecker(limits: DatasetCheckLimits(maximumRecordBytes: 200)).check(file)
        #expect(!report.passed)
        #expect(report.format == .promptCompletion && report.records == 1 && report.lines == 8)
        #expect(report.issues.map(\.line) == [2, 3, 4, 5, 6, 8, 9])
        #expect(report.issues.map(\.kind) == [.invalidUTF8, .notJSON, .invalidRecord, .emptyRecord, .tooLong,
                                              .invalidRecord, .invalidRecord])
        #expect(report.issues[2].detail.contains("completion") && report.issues[6].detail.contains("must be a string"))
    }

    @Test func countsExactAndNearDuplicates() throws {
        let directory = try TemporaryDirectory()
        let base = "The quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat near the door"
        let file = try directory.file("dups.jsonl", lines: [
            #"{"text": "\#(base)"}"#,
            #"{"id": 2, "text": "\#(base)"}"#,
            #"{"text": "\#(base.uppercased())!"}"#,
            #"{"text": "Completely different content about training small language models on a laptop"}"#,
        ])
        let report = try DatasetChecker().check(file)
        #expect(report.passed && report.records == 4)
        #expect(report.exactDuplicates == 1 && report.nearDuplicates == 1)
    }

    @Test func detectsTrainValidationOverlap() throws {
        let directory = try TemporaryDirectory()
        let train = try directory.file("train.jsonl", lines: [
            #"{"prompt": "2+2?", "completion": "4"}"#, #"{"prompt": "capital of France?", "completion": "Paris"}"#,
        ])
        let validation = try directory.file("validation.jsonl", lines: [
            #"{"completion": "Paris", "prompt": "capital of France?"}"#, #"{"prompt": "3+3?", "completion": "6"}"#,
        ])
        let pair = try DatasetChecker().check(train: train, validation: validation)
        #expect(pair.overlappingRecords == 1 && !pair.passed && pair.train.passed && pair.validation.passed)
    }

    @Test func fingerprintIgnoresLayoutButNotContentOrCount() throws {
        let directory = try TemporaryDirectory()
        let a = try directory.file("a.jsonl", lines: [#"{"prompt": "p1", "completion": "c1"}"#, #"{"prompt": "p/2", "completion": "c2"}"#])
        let b = try directory.file("b.jsonl", lines: [#"{ "completion":"c1","prompt":"p1","id":1 }"#, "", #"{"prompt": "p\/2", "completion": "c\u0032"}"#])
        let c = try directory.file("c.jsonl", lines: [#"{"prompt": "p1", "completion": "c1"}"#])
        let d = try directory.file("d.jsonl", lines: [#"{"prompt": "p1", "completion": "c1"}"#, #"{"prompt": "p/2", "completion": "c3"}"#])
        let checker = DatasetChecker()
        let fingerprint = try checker.fingerprint(of: a)
        #expect(fingerprint == (try checker.fingerprint(of: b)))
        #expect(fingerprint.records == 2 && fingerprint.format == .promptCompletion)
        #expect(fingerprint.description.hasPrefix("sha256:") && fingerprint.sha256.count == 64)
        #expect(fingerprint != (try checker.fingerprint(of: c)))
        #expect(fingerprint != (try checker.fingerprint(of: d)))
    }
}
