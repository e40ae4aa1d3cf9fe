import Foundation
import Testing
@testable import QuenchRegistryServer

/// The strict form parser of the web UI's posts: what it decodes, and each refusal with its 400 naming
/// the field.
@Suite struct UISessionFormTests {
    private func parse(_ body: String, allowed: Set<String> = ["csrf", "note", "alias"]) throws -> FormFields {
        try FormFields(parsing: Array(body.utf8), allowed: allowed)
    }

    /// The message of the 400 parsing `body` gives.
    private func refusal(_ body: [UInt8], allowed: Set<String> = ["csrf", "note", "alias"]) throws -> String {
        let error = try #require(throws: APIError.self) { try FormFields(parsing: body, allowed: allowed) }
        #expect(error.status == .badRequest)
        return error.message
    }

    @Test func plusIsASpaceAndEscapesDecodeAsUTF8() throws {
        let form = try parse("csrf=a-b_c&note=Looks+good%2C+ship+it%21+%3Cscript%3E+caf%C3%A9&alias=")
        #expect(form["csrf"] == "a-b_c")
        #expect(form["note"] == "Looks good, ship it! <script> café")
        #expect(form["alias"] == "")
        #expect(try parse("")["csrf"] == nil)
        #expect(try parse("csrf=x&&note=y&")["note"] == "y")
        #expect(try parse("note=a%2Bb%25")["note"] == "a+b%")
    }

    @Test func anUnknownOrRepeatedFieldIsRefusedByName() throws {
        let unknown = try refusal(Array("csrf=x&version=2".utf8))
        #expect(unknown.contains("unknown field 'version'"))
        #expect(unknown.contains("alias, csrf, note"))
        #expect(try refusal(Array("csrf=x&note=a&csrf=y".utf8)).contains("'csrf' is given more than once"))
    }

    @Test func badEscapesInvalidUTF8AndPairsWithoutEqualsAreRefused() throws {
        #expect(try refusal(Array("note=50%".utf8)).contains("'note' has a bad percent escape at byte 2"))
        #expect(try refusal(Array("note=%4".utf8)).contains("bad percent escape"))
        #expect(try refusal(Array("note=%zz".utf8)).contains("bad percent escape"))
        #expect(try refusal(Array("note=%C3%28".utf8)).contains("'note' is not valid UTF-8"))
        #expect(try refusal(Array("note=".utf8) + [0xFF]).contains("'note' is not valid UTF-8"))
        #expect(try refusal(Array("csrf".utf8)).contains("'csrf' has no '='"))
        #expect(try refusal(Array("no%tes=1".utf8)).contains("a form field's name has a bad percent escape"))
    }

    @Test func aNoteIsTrimmedEmptyMeansNoneAndLongerThan4000CharactersIsRefused() throws {
        #expect(try RegistryUI.note(try parse("note=++")) == nil)
        #expect(try RegistryUI.note(try parse("csrf=x")) == nil)
        #expect(try RegistryUI.note(try parse("note=+ok+")) == "ok")
        let longest = String(repeating: "é", count: 4_000)
        #expect(try RegistryUI.note(try parse("note=" + longest)) == longest)
        let error = try #require(throws: APIError.self) {
            try RegistryUI.note(try parse("note=" + String(repeating: "a", count: 4_001)))
        }
        #expect(error.status == .badRequest)
        #expect(error.message.contains("4001 characters"))
    }
}
