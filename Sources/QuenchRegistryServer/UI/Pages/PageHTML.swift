import QuenchHTML
import QuenchRegistry

/// The small pieces every page is built from: escaped text, paths to the registry's pages (model
/// names percent-encoded as a path segment), times a script can sort by, badges and the CSRF field.
enum PageHTML {
    /// `text` escaped for element content and quoted attribute values.
    static func text(_ text: String) -> String { HTMLText.escaped(text) }

    /// `/ui/models/NAME`.
    static func modelPath(_ name: String) -> String { "/ui/models/" + pathSegment(name) }

    /// `/ui/models/NAME/versions/N`.
    static func versionPath(_ name: String, _ version: Int) -> String { modelPath(name) + "/versions/\(version)" }

    /// `text` percent-encoded so it stays one path segment: everything but RFC 3986's unreserved
    /// characters is encoded, `/`, `?`, `#` and `%` included.
    static func pathSegment(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if unreserved { encoded.unicodeScalars.append(Unicode.Scalar(byte)) } else { encoded += "%" + hexByte(byte) }
        }
        return encoded
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// `<a href="…">label</a>`, the label escaped; `id` when given.
    static func link(_ href: String, _ label: String, id: String? = nil) -> String {
        let idAttribute = id.map { " id=\"\(text($0))\"" } ?? ""
        return "<a\(idAttribute) href=\"\(text(href))\">\(text(label))</a>"
    }

    /// `<time datetime="ISO">2026-12-05 17:57 UTC</time>` for a registry time; empty for none.
    static func time(_ iso: String?) -> String {
        guard let iso, !iso.isEmpty else { return "" }
        return "<time datetime=\"\(text(iso))\">\(text(readableTime(iso)))</time>"
    }

    /// A registry time (ISO 8601 UTC) as a person reads it, to the minute; other text unchanged.
    static func readableTime(_ iso: String) -> String {
        let parts = iso.split(separator: "T", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 10, parts[1].count >= 5, iso.hasSuffix("Z") else { return iso }
        return "\(parts[0]) \(parts[1].prefix(5)) UTC"
    }

    /// `<span class="status status-approved">approved</span>`: the raw status in the class and text.
    static func status(_ status: VersionStatus) -> String {
        "<span class=\"status status-\(status.rawValue)\">\(status.rawValue)</span>"
    }

    /// `<span class="alias">staging → 3</span>`.
    static func alias(_ alias: ModelAlias, version: Int) -> String {
        "<span class=\"alias\">\(alias.rawValue) → \(version)</span>"
    }

    /// `<span class="alias">staging</span>` for each alias a version holds.
    static func aliases(_ aliases: [ModelAlias]) -> String {
        aliases.map { "<span class=\"alias\">\($0.rawValue)</span>" }.joined(separator: " ")
    }

    /// The hidden field every form posts its CSRF token in.
    static func csrfField(_ context: PageContext) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(text(context.csrf))\">"
    }

    /// A table inside a wrapper that scrolls sideways on a narrow screen.
    static func table(id: String? = nil, headers: [Header], rows: [String]) -> String {
        let idAttribute = id.map { " id=\"\($0)\"" } ?? ""
        let head = headers.map { header in
            header.sortsByTime ? "<th data-sort=\"time\" scope=\"col\">\(text(header.title))</th>" : "<th scope=\"col\">\(text(header.title))</th>"
        }.joined()
        return "<div class=\"table-wrap\"><table\(idAttribute)><thead><tr>\(head)</tr></thead><tbody>\(rows.joined())</tbody></table></div>"
    }

    /// A column heading; a column of times gets `data-sort="time"` so the page script can sort by it.
    struct Header {
        let title: String
        let sortsByTime: Bool

        init(_ title: String, sortsByTime: Bool = false) {
            self.title = title
            self.sortsByTime = sortsByTime
        }
    }

    /// "1 entry", "2 entries".
    static func count(_ number: Int, _ singular: String, _ plural: String) -> String {
        "\(number) \(number == 1 ? singular : plural)"
    }

    /// A hash or fingerprint as code that does not wrap (its table scrolls sideways on a narrow screen instead).
    static func hash(_ value: String) -> String { "<code class=\"hash\">\(text(value))</code>" }

    /// `<td>…</td>` around already-built HTML.
    static func cell(_ html: String, numeric: Bool = false) -> String {
        numeric ? "<td class=\"num\">\(html)</td>" : "<td>\(html)</td>"
    }

    /// A `<section>` with an id and a heading.
    static func section(id: String, title: String, _ content: String) -> String {
        "<section id=\"\(id)\" aria-labelledby=\"\(id)-title\"><h2 id=\"\(id)-title\">\(text(title))</h2>\(content)</section>"
    }
}
