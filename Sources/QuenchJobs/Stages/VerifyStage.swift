import Foundation
import QuenchModel

/// Stage 2: hashes the model and data files and compares them with the spec's pins; a mismatch
/// stops the run before anything is trained on an unexpected file.
struct VerifyStage: Stage {
    /// One file with its role, hash and what it was checked against.
    struct Check: Codable, Sendable {
        /// `model`, `train` or `validation`.
        let role: InputRole
        let file: FileRecord
        /// The pinned sha256, when the spec pins this file.
        let pinned: String?
    }

    /// Every file the run depends on, hashed.
    struct Output: Codable, Sendable {
        let checks: [Check]

        func file(_ role: InputRole) -> FileRecord? { checks.first { $0.role == role }?.file }
        var modelFiles: [FileRecord] { checks.filter { $0.role == .model }.map(\.file) }
    }

    static let name = StageName.verify

    func inputs(_ context: RunContext) throws -> [String: String] {
        let fetch = try context.required(context.fetch, .fetch)
        var inputs = ["model": fetch.files.map { "\($0.path)=\($0.sha256)" }.joined(separator: ";"),
                      "train": context.spec.data.train + "#" + FileRecord.stamp(context.spec.data.train)]
        if let validation = context.spec.data.validation {
            inputs["validation"] = validation + "#" + FileRecord.stamp(validation)
        }
        let dataPins = Dictionary(uniqueKeysWithValues: context.spec.data.pins.map { ($0.key.rawValue, $0.value) })
        inputs["pins"] = (modelPins(context.spec).merging(dataPins) { $1 })
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        return inputs
    }

    func run(_ context: RunContext, events: @escaping RunEvents) throws -> Output {
        let fetch = try context.required(context.fetch, .fetch)
        let pins = modelPins(context.spec)
        let root = URL(fileURLWithPath: fetch.location)
        var checks: [Check] = []
        var names: Set<String> = []
        for file in fetch.files {
            let name = self.name(of: file.path, in: root)
            names.insert(name)
            checks.append(try check(role: .model, file: file, pin: pins[name]))
        }
        if case .local(let path, _) = context.spec.model {
            // A local model must pin every file the loader will read, as the folder is now.
            let unpinned = try ModelBundle.filesRead(in: root).map { name(of: $0.path, in: root) }
                .filter { pins[$0] == nil }.sorted()
            guard unpinned.isEmpty else { throw RunError.unpinnedModelFiles(model: path, files: unpinned) }
        }
        if let missing = pins.keys.sorted().first(where: { !names.contains($0) }) {
            throw RunError.unsupported("the job pins model file '\(missing)', which the model does not have "
                                       + "(it has \(names.sorted().joined(separator: ", ")))")
        }
        checks.append(try check(role: .train, file: FileRecord(url: URL(fileURLWithPath: context.spec.data.train)),
                                pin: context.spec.data.pins[.train]))
        if let validation = context.spec.data.validation {
            checks.append(try check(role: .validation, file: FileRecord(url: URL(fileURLWithPath: validation)),
                                    pin: context.spec.data.pins[.validation]))
        }
        return Output(checks: checks)
    }

    static func store(_ output: Output, in context: inout RunContext) { context.verify = output }

    static func summary(_ output: Output) -> String {
        let pinned = output.checks.filter { $0.pinned != nil }.count
        return "\(output.checks.count) file(s) hashed, \(pinned) matched their pins"
    }

    private func check(role: InputRole, file: FileRecord, pin: String?) throws -> Check {
        if let pin, pin != file.sha256 {
            throw RunError.hashMismatch(subject: role == .model ? "model file" : "\(role.rawValue) data", path: file.path,
                                        expected: pin, actual: file.sha256)
        }
        return Check(role: role, file: file, pinned: pin)
    }

    private func modelPins(_ spec: JobSpec) -> [String: String] {
        switch spec.model {
        case .local(_, let pins), .hub(_, _, let pins, _): return pins
        }
    }

    /// How the spec names a model file in its pins: its path under the model folder, or the model
    /// file's own name.
    private func name(of path: String, in root: URL) -> String {
        if path == root.path { return root.lastPathComponent }
        return path.hasPrefix(root.path + "/") ? String(path.dropFirst(root.path.count + 1)) : path
    }
}
