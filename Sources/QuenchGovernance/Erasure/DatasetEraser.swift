import Foundation
import QuenchData
import QuenchFiles

/// What an erasure did.
public struct ErasureReport: Codable, Sendable, Equatable {
    /// The dataset read (never modified).
    public let dataset: String
    /// The copy written without the matching records.
    public let output: String
    /// Lines removed from the dataset, 1-based.
    public let removedLines: [Int]
    /// The dataset's canonical fingerprint before erasure; nil when it held no valid record.
    public let oldFingerprint: CanonicalFingerprint?
    /// The fingerprint of the written copy; nil when no valid record is left.
    public let newFingerprint: CanonicalFingerprint?
    /// Registered versions trained on the old dataset, now marked for review; nil when no registry
    /// was consulted.
    public let markedVersions: [String]?
}

/// Erasure requests ("forget this person"): writes the dataset without the records that mention a
/// value and flags every registered model trained on the old data for review.
public struct DatasetEraser: Sendable {
    /// Shortest value accepted, so a slip such as `--match a` cannot empty the dataset.
    public static let minimumValueLength = 4
    /// The dataset's declared format (nil: detected) for the fingerprints.
    public let format: DatasetFormat?

    /// An eraser for datasets of `format`.
    public init(format: DatasetFormat? = nil) { self.format = format }

    /// Writes `dataset` without the records in which any string value contains `value` (ASCII
    /// case-insensitively) to `output` (atomically), then marks the registry's versions whose lineage
    /// holds the old fingerprint. The value itself is never written to a report or the registry.
    public func erase(matching value: String, in dataset: URL, writingTo output: URL,
                      registry: (any ErasureRegistry)?) throws -> ErasureReport {
        guard value.count >= Self.minimumValueLength else {
            throw GovernanceError.eraseValueTooShort(length: value.count, minimum: Self.minimumValueLength)
        }
        let source = dataset.standardizedFileURL.resolvingSymlinksInPath()
        guard source.path != output.standardizedFileURL.resolvingSymlinksInPath().path else {
            throw GovernanceError.outputIsInput(path: output.path)
        }
        let checker = DatasetChecker(format: format)
        let oldFingerprint = try checker.check(dataset).fingerprint
        let needle = Array(value.utf8).map(Self.lowercased)
        var removed: [Int] = []
        var scratch: [UInt8] = []
        do {
            let writer = try AtomicFile.Writer(destination: output)
            try LineReader.forEachLine(in: dataset) { line, bytes in
                if Self.mentions(bytes, needle, scratch: &scratch) {
                    removed.append(line)
                    return
                }
                try writer.write(bytes)
                try writer.write([0x0A])
            }
            try writer.commit()
        } catch let failure as AtomicFile.Failure {
            throw GovernanceError(failure)
        }
        let newFingerprint = try checker.check(output).fingerprint
        var marked: [String]?
        if let registry, let oldFingerprint, !removed.isEmpty {
            let reason = "erasure request: \(removed.count) records removed from \(dataset.lastPathComponent) "
                + "(\(oldFingerprint) → \(newFingerprint?.description ?? "no records left")); retrain without them"
            do {
                let versions = try registry.versions(withDatasetFingerprint: oldFingerprint.description)
                for version in versions { try registry.markForReview(version: version, reason: reason) }
                marked = versions
            } catch {
                throw GovernanceError.registryFailed(reason: SecretScrubber().scrub(error))
            }
        }
        return ErasureReport(dataset: dataset.path, output: output.path, removedLines: removed,
                             oldFingerprint: oldFingerprint, newFingerprint: newFingerprint, markedVersions: marked)
    }

    /// True when a string value of the JSON line (decoded), or the line itself when it is not JSON,
    /// contains `needle` (lower-cased).
    private static func mentions(_ line: UnsafeRawBufferPointer, _ needle: [UInt8], scratch: inout [UInt8]) -> Bool {
        var found = false
        let outcome = JSONStringWalker.walk(line) { span, _ in
            guard !found else { return }
            let content = UnsafeRawBufferPointer(rebasing: line[span.start..<span.end])
            if span.escaped {
                JSONString.decode(content, into: &scratch)
                found = scratch.withUnsafeBytes { contains($0, needle) }
            } else {
                found = contains(content, needle)
            }
        }
        return outcome == .complete ? found : contains(line, needle)
    }

    private static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var start = 0
        while start <= haystack.count - needle.count {
            if lowercased(haystack[start]) == first {
                var offset = 1
                while offset < needle.count, lowercased(haystack[start + offset]) == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 { ASCII.isUpper(byte) ? byte | 0x20 : byte }
}
