import Foundation
import QuenchFiles
import Testing

/// Foundation on Linux says only "The given data was not valid JSON." for broken text and for a
/// number its key's type cannot hold; `JSONErrorText` finds the byte, line and column, or the key.
@Suite struct JSONErrorTextTests {
    struct State: Decodable { var pid: Int32; var name: String }

    /// The text for decoding `json` as `State`.
    func describe(_ json: String) -> String {
        let data = Data(json.utf8)
        do {
            _ = try JSONDecoder().decode(State.self, from: data)
            return "decoded"
        } catch {
            return JSONErrorText.describe(error, in: data) { (try? JSONDecoder().decode(State.self, from: $0)) == nil }
        }
    }

    @Test func brokenTextNamesByteLineAndColumn() {
        #expect(describe(#"{"garbage"#) == #"not valid JSON: expected '"' to close the string at byte 9 (line 1, column 10)"#)
        #expect(describe(#"{"garbage""#) == "not valid JSON: expected ':' after a key at byte 10 (line 1, column 11)")
        #expect(describe("{\n  \"pid\": 1,\n  name: 2}") == "not valid JSON: expected a string key at byte 16 (line 3, column 3)")
    }

    @Test func aNumberTooLargeForItsKeyNamesTheKey() {
        let text = describe(#"{"name": "n", "pid": 9223372036854775807}"#)
        #expect(text == "at pid: the number 9223372036854775807 does not fit the value this key holds (byte 21 (line 1, column 22))")
        #expect(describe(#"{"pid": 1e300, "name": "n"}"#).hasPrefix("at pid: the number 1e300 does not fit"))
    }

    @Test func wrongKindsAndMissingKeysNameTheKeyPath() {
        #expect(describe(#"{"pid": "x", "name": "n"}"#).hasPrefix("at pid: expected Int32"))
        #expect(describe(#"{"pid": 1}"#) == "the key 'name' is missing")
    }

    @Test func withoutARetryTheLikeliestNumberIsNamedAsSuch() {
        let data = Data(#"{"a": 1, "b": {"c": [18446744073709551616]}}"#.utf8)
        #expect(JSONErrorText.problem(in: data) == "probably at b.c[0]: the number 18446744073709551616 does not fit the value this key holds (byte 21 (line 1, column 22))")
        #expect(JSONErrorText.problem(in: Data(#"{"a": [1, 2]}"#.utf8)) == "probably at a[1]: the number 2 does not fit the value this key holds (byte 10 (line 1, column 11))")
    }
}
