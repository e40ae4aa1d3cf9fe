import Foundation
import QuenchFiles
import QuenchTestSupport
import Testing

/// One JSON configuration per purpose: files indented, lines compact, canonical bytes for hashes and
/// signatures untouched by the date and float settings; and one reader of JSON files that names the
/// file and the key at fault.
@Suite struct JSONCodingTests {
    struct Sample: Codable, Equatable {
        var path = "runs/a"
        var loss = Double.nan
        var at = Date(timeIntervalSince1970: 86_400)
    }

    @Test func filesAreIndentedAndLinesCompactBothSortedWithSlashesDatesAndNaNSpelled() throws {
        #expect(String(decoding: try JSONCoding.fileEncoder.encode(Sample()), as: UTF8.self) == """
            {
              "at" : "1970-01-02T00:00:00Z",
              "loss" : "nan",
              "path" : "runs/a"
            }
            """)
        #expect(String(decoding: try JSONCoding.lineEncoder.encode(Sample()), as: UTF8.self)
            == #"{"at":"1970-01-02T00:00:00Z","loss":"nan","path":"runs/a"}"#)
        let decoded = try JSONCoding.decoder.decode(Sample.self, from: JSONCoding.lineEncoder.encode(Sample()))
        #expect(decoded.path == "runs/a" && decoded.loss.isNaN && decoded.at == Sample().at)
    }

    @Test func theCanonicalBytesAreCompactSortedAndRefuseANonFiniteNumber() throws {
        struct Hashed: Encodable { let z = 1; let a = "x/y" }
        #expect(String(decoding: try JSONCoding.canonicalEncoder.encode(Hashed()), as: UTF8.self) == #"{"a":"x/y","z":1}"#)
        #expect(throws: EncodingError.self) { try JSONCoding.canonicalEncoder.encode([Double.infinity]) }
    }

    @Test func aFileIsReadOrRefusedNamingTheFileAndTheKey() throws {
        let scratch = try TemporaryDirectory("json")
        let root = scratch.url
        let good = root.appendingPathComponent("good.json")
        try AtomicFile.writeJSON(Sample(), to: good)
        let read = try JSONFile.read(Sample.self, from: good, limit: 1 << 10)
        #expect(read.path == "runs/a" && read.loss.isNaN)

        let missing = root.appendingPathComponent("missing.json")
        #expect(throws: JSONFile.Failure.unreadable(.missing(path: missing.path))) {
            try JSONFile.read(Sample.self, from: missing, limit: 1 << 10)
        }
        #expect(throws: JSONFile.Failure.unreadable(.tooLarge(path: good.path, size: Int64(try Data(contentsOf: good).count), limit: 8))) {
            try JSONFile.read(Sample.self, from: good, limit: 8)
        }

        let damaged = root.appendingPathComponent("damaged.json")
        try AtomicFile.write(Data(#"{"path": 7, "loss": 1, "at": "1970-01-02T00:00:00Z"}"#.utf8), to: damaged)
        let failure = try #require(throws: JSONFile.Failure.self) { try JSONFile.read(Sample.self, from: damaged, limit: 1 << 10) }
        #expect(failure.path == damaged.path)
        #expect(failure.reason.hasPrefix("at path: expected String"), "\(failure.reason)")
        #expect(failure.description.hasPrefix("\(damaged.path): at path:"))

        let truncated = root.appendingPathComponent("truncated.json")
        try AtomicFile.write(Data(#"{"path": "a""#.utf8), to: truncated)
        #expect(throws: JSONFile.Failure.invalid(path: truncated.path, reason: "not valid JSON: expected ',' or '}' at byte 12 (line 1, column 13)")) {
            try JSONFile.read(Sample.self, from: truncated, limit: 1 << 10)
        }
    }
}
