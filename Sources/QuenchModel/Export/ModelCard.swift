import Foundation
import QuenchFiles

/// A Hugging Face model card: `README.md` with the YAML front matter the hub reads (base_model,
/// library_name, license, tags) and a Markdown body saying what the model is and where it came from.
public struct ModelCard: Sendable, Equatable {
    /// A titled part of the body; its lines are Markdown.
    public struct Section: Sendable, Equatable {
        /// The `##` heading.
        public var heading: String
        /// Its Markdown lines.
        public var lines: [String]

        /// A section headed `heading`.
        public init(_ heading: String, _ lines: [String]) {
            self.heading = heading
            self.lines = lines
        }
    }

    /// The card's file name in a model or adapter folder.
    public static let fileName = "README.md"

    /// The body's first heading: the model's or adapter's name.
    public var title: String
    /// `transformers` for a model folder, `peft` for an adapter.
    public var libraryName: String
    /// The base model's hub id (`org/name`); a local path is named in the body instead, since the
    /// hub reads this key as a repository.
    public var baseModel: String?
    /// The license the source's metadata names (GGUF's general.license), nil when it names none.
    public var license: String?
    /// What the hub lists the model under: `quench`, and the kind of training or merge.
    public var tags: [String]
    /// The first paragraph.
    public var summary: String
    public var sections: [Section]

    /// A card with every field given.
    public init(title: String, libraryName: String, baseModel: String?, license: String?, tags: [String],
                summary: String, sections: [Section]) {
        self.title = title
        self.libraryName = libraryName
        self.baseModel = baseModel
        self.license = license
        self.tags = tags
        self.summary = summary
        self.sections = sections
    }

    /// The README.md text: front matter between `---` lines (values as YAML double-quoted
    /// strings), then the title, summary and sections.
    public func text() throws -> String {
        var front = ["---"]
        if let baseModel { front.append("base_model: \(try Self.quoted(baseModel))") }
        front.append("library_name: \(try Self.quoted(libraryName))")
        if let license { front.append("license: \(try Self.quoted(license))") }
        front.append("pipeline_tag: \"text-generation\"")
        if !tags.isEmpty { front += ["tags:"] + (try tags.map { "- \(try Self.quoted($0))" }) }
        front.append("---")
        var body = ["# \(title)", "", summary]
        for section in sections { body += ["", "## \(section.heading)", ""] + section.lines }
        return (front + body).joined(separator: "\n") + "\n"
    }

    /// Writes the card as `README.md` in `directory`, atomically.
    /// - Throws: `ExportError.writeFailed` naming the file.
    public func write(into directory: URL) throws {
        let url = directory.appendingPathComponent(Self.fileName)
        let data = Data(try text().utf8)
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw ExportError.writeFailed(path: url.path, reason: "\(error)")
        }
    }

    /// `value` as a YAML double-quoted scalar: JSON's string escapes are a subset of YAML's.
    static func quoted(_ value: String) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes]),
               as: UTF8.self)
    }
}
