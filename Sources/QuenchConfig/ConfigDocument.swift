import Foundation
import QuenchFiles
import Yams

/// A YAML node of a configuration file: what `ConfigReader` reads and `ConfigDocument.text(of:file:)`
/// writes. Other targets name it through this alias and never import the YAML library themselves.
public typealias ConfigNode = Yams.Node

/// One configuration file read and parsed: the one way Quench turns a YAML file into nodes.
///
/// The file is opened through `RegularFile` (no FIFO hang, a size limit), and a syntax error becomes
/// `ConfigFileError.malformedYAML` with its line and column; `read(schema:prefix:_:)` then hands the
/// root to a `ConfigReader` and throws every problem it recorded at once.
public struct ConfigDocument {
    /// The path or name the file is reported by.
    public let file: String
    /// The parsed root; nil for an empty document.
    public let root: ConfigNode?
    /// The bytes the document was parsed from, e.g. for a digest that pins the file.
    public let contents: Data

    /// A configuration is at most a few kilobytes; anything past 1 MiB is not one.
    public static let defaultLimit = 1 << 20

    /// Reads and parses the file at `path`, refusing one larger than `limit` bytes.
    public init(contentsOf path: String, limit: Int = defaultLimit) throws(ConfigFileError) {
        let data: Data
        do {
            data = try RegularFile.contents(of: path, limit: limit)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: path, reason: RegularFile.Failure.notText(path: path).reason)
        }
        try self.init(yaml: text, file: path)
    }

    /// Parses `yaml`; `file` names it in messages.
    public init(yaml: String, file: String) throws(ConfigFileError) {
        self.file = file
        self.contents = Data(yaml.utf8)
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw Self.malformed(error, yaml: yaml, file: file)
        }
    }

    /// Runs `body` on a reader of the root with `schema` (known keys by section) and returns its
    /// result, or throws every problem the reader recorded, ordered by place.
    public func read<Value>(schema: [String: [String]], prefix: String = "",
                            _ body: (inout ConfigReader, ConfigNode?) -> Value) throws(ConfigFileError) -> Value {
        var reader = ConfigReader(file: file, prefix: prefix, schema: schema)
        let value = body(&reader, root)
        try reader.finish()
        return value
    }

    /// `node` as YAML text that `init(yaml:file:)` reads back to the same nodes.
    /// - Throws: the emitter's error when it cannot write a node (the caller names the file).
    public static func text(of node: ConfigNode) throws -> String {
        try Yams.serialize(node: node)
    }

    /// The parser's error as a place and a reason.
    static func malformed(_ error: Error, yaml: String, file: String) -> ConfigFileError {
        func place(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> ConfigFileError {
            let during = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            return .malformedYAML(file: file, line: mark.line, column: mark.column, reason: problem + during)
        }
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _)?, .parser(let context, let problem, let mark, _)?,
             .composer(let context, let problem, let mark, _)?:
            return place(mark, problem, context)
        case .duplicatedKeysInMapping(let duplicates, let context)?:
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return .malformedYAML(file: file, line: context.mark.line, column: context.mark.column,
                                  reason: "a key appears twice in one mapping: \(keys)")
        case .reader(let problem, let offset, _, _)?:
            let (line, column) = offset.map { Self.lineAndColumn(at: $0, in: yaml) } ?? (1, 1)
            return .malformedYAML(file: file, line: line, column: column, reason: problem)
        default:
            return .malformedYAML(file: file, line: 1, column: 1, reason: "\(error)")
        }
    }

    /// The 1-based line and column of byte `offset` of `text`.
    static func lineAndColumn(at offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in text.utf8.prefix(max(0, offset)) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
