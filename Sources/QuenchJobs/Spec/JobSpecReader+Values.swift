import Foundation
import QuenchTrain
import QuenchConfig

extension JobSpecReader {
    static let hexDigest = Requirement<String>(
        text: "must be 64 lower-case hex digits",
        isMet: { $0.utf8.count == 64 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })

    /// A path relative to the spec's folder (or absolute, or `~/`), resolved and checked to exist.
    mutating func requiredPath(_ key: String, in section: ConfigReader.Section, what: String) -> String? {
        let relative = ConfigReader.join(section.relative, key)
        guard r.isGiven(key, in: section) else {
            r.report(.missing, key: relative, at: section.place)
            return nil
        }
        return optionalPath(key, in: section, what: what)
    }

    /// Like `requiredPath`, but absent is fine.
    mutating func optionalPath(_ key: String, in section: ConfigReader.Section, what: String = "a path") -> String? {
        guard let text = r.optional(key, in: section, absent: nil, expected: what, requirement: .nonEmpty,
                                    ConfigReader.text) else { return nil }
        let path = resolve(text)
        if !FileManager.default.fileExists(atPath: path) {
            let relative = ConfigReader.join(section.relative, key)
            r.report(.invalidValue(requirement: "must name an existing file", found: "'\(text)' (\(path) does not exist)"),
                     key: relative, at: r.places[relative] ?? section.place)
        }
        return path
    }

    /// `~/x` against the home folder, a relative path against the spec's folder.
    func resolve(_ text: String) -> String {
        if text.hasPrefix("~/") {
            return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(String(text.dropFirst(2))).path
        }
        if text.hasPrefix("/") { return URL(fileURLWithPath: text).standardizedFileURL.path }
        return directory.appendingPathComponent(text).standardizedFileURL.path
    }

    /// A mapping of names to sha256 digests (free-form keys, so not checked against the schema).
    mutating func readPins(_ key: String, in section: ConfigReader.Section) -> [String: String] {
        let relative = ConfigReader.join(section.relative, key)
        guard case .present(let entry) = r.lookup(key, in: section) else { return [:] }
        guard case .mapping(let mapping) = entry.node else {
            r.report(.wrongType(expected: "a mapping of file names to sha256", found: ConfigReader.describe(entry.node)),
                     key: relative, at: entry.place)
            return [:]
        }
        var pins: [String: String] = [:]
        for (keyNode, value) in mapping {
            let place = ConfigPlace(value, orElse: entry.place)
            guard let name = keyNode.scalar?.string, !name.isEmpty else {
                r.report(.wrongType(expected: "a file name", found: ConfigReader.describe(keyNode)), key: relative, at: place)
                continue
            }
            if let digest = r.parse(ConfigReader.Entry(node: value, place: place), key: relative + "." + name,
                                    expected: "a sha256", requirement: Self.hexDigest, ConfigReader.text) {
                pins[name] = digest
            }
        }
        return pins
    }

    /// A list of strings (glob patterns), or nil when absent.
    mutating func readStrings(_ key: String, in section: ConfigReader.Section) -> [String]? {
        let relative = ConfigReader.join(section.relative, key)
        guard let list = r.list(key, in: section, expected: "a list of patterns") else { return nil }
        return list.items.compactMap { item in
            r.parse(ConfigReader.Entry(node: item, place: ConfigPlace(item, orElse: list.place)), key: relative,
                    expected: "a pattern", requirement: .nonEmpty, ConfigReader.text)
        }
    }
}
