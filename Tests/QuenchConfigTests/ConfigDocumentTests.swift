import Foundation
import Testing
@testable import QuenchConfig
import QuenchTestSupport

/// The one YAML reader: files read through `RegularFile`, syntax errors with their place, every schema
/// problem at once in file order, and nodes written back to text that reads the same.
@Suite struct ConfigDocumentTests {
    static let schema: [String: [String]] = ["": ["name", "items", "limits"], "limits": ["size"],
                                              "items.*": ["path", "size"]]

    /// Reads `yaml` with `schema`: the name, and the size of every item under `items` (free-form names).
    func read(_ yaml: String) throws -> (name: String, sizes: [String: Int]) {
        try ConfigDocument(yaml: yaml, file: "c.yaml").read(schema: Self.schema) { r, node in
            let root = r.root(node)
            let name = r.value("name", in: root, default: "", expected: "a name", requirement: .nonEmpty,
                               ConfigReader.text)
            _ = r.value("size", in: r.section("limits", in: root), default: 1, expected: "an integer",
                        requirement: .atLeast(1), ConfigReader.integer)
            var sizes: [String: Int] = [:]
            for (item, entry) in r.namedEntries("items", in: root, expected: "a mapping of items") {
                let s = r.open(entry.node, relative: "items.\(item)", place: entry.place, schemaKey: "items.*")
                sizes[item] = r.value("size", in: s, default: 0, expected: "an integer", requirement: .atLeast(0),
                                      ConfigReader.integer)
            }
            return (name, sizes)
        }
    }

    @Test func everyProblemComesOutAtOnceInFileOrder() {
        let yaml = "name: ''\nitems:\n  a: {size: -1, pth: x}\nlimits:\n  sise: 3\n"
        #expect(throws: ConfigFileError.invalid(file: "c.yaml", problems: [
            ConfigProblem(file: "c.yaml", line: 1, column: 7, key: "name",
                          kind: .invalidValue(requirement: "must not be empty", found: "''")),
            ConfigProblem(file: "c.yaml", line: 3, column: 13, key: "items.a.size",
                          kind: .invalidValue(requirement: "must be at least 0", found: "-1")),
            ConfigProblem(file: "c.yaml", line: 3, column: 17, key: "items.a.pth",
                          kind: .unknownKey(suggestion: "path", known: ["path", "size"])),
            ConfigProblem(file: "c.yaml", line: 5, column: 3, key: "limits.sise",
                          kind: .unknownKey(suggestion: "size", known: ["size"])),
        ])) { try read(yaml) }
        // A key of another section is offered by its path; a pattern section (`items.*`) is not a path.
        #expect(throws: ConfigFileError.invalid(file: "c.yaml", problems: [
            ConfigProblem(file: "c.yaml", line: 2, column: 1, key: "size",
                          kind: .unknownKey(suggestion: "limits.size", known: ["name", "items", "limits"])),
        ])) { try read("name: n\nsize: 2\n") }
        let valid = try? read("name: n\nitems:\n  a: {size: 2}\n  b: {path: p}\n")
        #expect(valid?.name == "n" && valid?.sizes == ["a": 2, "b": 0])
    }

    @Test func aSyntaxErrorNamesItsLineAndColumn() {
        let error = #expect(throws: ConfigFileError.self) { try ConfigDocument(yaml: "name: n\nitems: [a\n", file: "c.yaml") }
        guard case .malformedYAML(let file, let line, _, let reason)? = error else {
            Issue.record("expected malformedYAML, got \(String(describing: error))")
            return
        }
        #expect(file == "c.yaml" && line >= 2 && !reason.isEmpty)
        #expect(throws: ConfigFileError.malformedYAML(file: "c.yaml", line: 1, column: 1,
                                                      reason: "a key appears twice in one mapping: 'name'")) {
            try ConfigDocument(yaml: "name: a\nname: b\n", file: "c.yaml")
        }
    }

    @Test func filesAreReadThroughRegularFileWithALimit() throws {
        let folder = try TemporaryDirectory("config-document")
        let file = try folder.file("c.yaml", lines: ["name: n"])
        #expect(try ConfigDocument(contentsOf: file.path).root?.mapping?["name"]?.string == "n")
        #expect(throws: ConfigFileError.unreadable(file: folder.url.path, reason: "it is a directory, not a regular file")) {
            try ConfigDocument(contentsOf: folder.url.path)
        }
        let large = try folder.file("large.yaml", bytes: Data(repeating: 0x20, count: 64))
        let error = #expect(throws: ConfigFileError.self) { try ConfigDocument(contentsOf: large.path, limit: 16) }
        #expect(error?.file == large.path)
        let binary = try folder.file("binary.yaml", bytes: Data([0xff, 0xfe, 0x00]))
        #expect(throws: ConfigFileError.unreadable(file: binary.path, reason: "it is not UTF-8 text")) {
            try ConfigDocument(contentsOf: binary.path)
        }
    }

    @Test func builtNodesReadBackTheSame() throws {
        let node = ConfigNode.pairs([
            ("path", .quotedText("null")), ("kind", .word("lora")), ("rank", .integer(8)), ("rate", .number(0.1)),
            ("on", .boolean(true)), ("clip", .nullValue), ("items", .items([.quotedText("1e3"), .integer(2)])),
        ])
        let text = try ConfigDocument.text(of: node)
        let root = try #require(try ConfigDocument(yaml: text, file: "w.yaml").root?.mapping)
        #expect(root["path"]?.string == "null" && root["path"]?.null == nil)
        #expect(root["kind"]?.string == "lora" && root["rank"]?.int == 8 && root["rate"]?.float == 0.1)
        #expect(root["on"]?.bool == true && root["clip"]?.null != nil)
        #expect(root["items"]?.array().map(\.string) == ["1e3", "2"])
    }
}
