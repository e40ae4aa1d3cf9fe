import Foundation
import QuenchModel

/// Stage 2: hashes the model and data files and compares them with the spec's pins; a mismatch
/// stops the run before anything is trained on an unexpected file.
struct VerifyStage: Stage {
    /// One file with its role, hash and what it was checked against.
    struct Check: Codable, Sendable {
        let role: InputRole
        let file: FileRecord
        /// The pinned sha256, when the spec pins this file.
        let pinned: String?
    }

    /// Every file the run depends on, hashed.
    struct Output: Codable, Sendable {
        let checks: [Check]

        /// The check of the dataset with `role`, if the job has it.
        func check(_ role: DatasetRole) -> Check? { checks.first { $0.role == role.inputRole } }
        var modelFiles: [FileRecord] { checks.filter { $0.role == .model }.map(\.file) }
    }

    static let name = StageName.verify
    let spec: JobSpec
    let fetch: FetchStage.Output

    func inputs() throws -> [String: String] {
        var inputs = [InputRole.model.rawValue: fetch.files.map { "\($0.path)=\($0.sha256)" }.joined(separator: ";")]
        for (role, path) in spec.data.files.all {
            inputs[role.rawValue] = path + "#" + FileRecord.stamp(path)
        }
        let dataPins = Dictionary(uniqueKeysWithValues: spec.data.pins.map { ($0.key.rawValue, $0.value) })
        inputs["pins"] = (modelPins(spec).merging(dataPins) { $1 })
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        return inputs
    }

    func run(events: @escaping RunEvents) throws -> Output {
        let pins = modelPins(spec)
        let root = URL(fileURLWithPath: fetch.location)
        var checks: [Check] = []
        var names: Set<String> = []
        for file in fetch.files {
            let name = self.name(of: file.path, in: root)
            names.insert(name)
            checks.append(try check(role: .model, file: file, pin: pins[name]))
        }
        if case .local(let path, _) = spec.model {
            // A local model must pin every file the loader will read, as the folder is now.
            let unpinned = try ModelBundle.filesRead(in: root).map { name(of: $0.path, in: root) }
                .filter { pins[$0] == nil }.sorted()
            guard unpinned.isEmpty else { throw RunError.unpinnedModelFiles(model: path, files: unpinned) }
        }
        if let missing = pins.keys.sorted().first(where: { !names.contains($0) }) {
            throw RunError.unsupported("the job pins model file '\(missing)', which the model does not have "
                                       + "(it has \(names.sorted().joined(separator: ", ")))")
        }
        for (role, path) in spec.data.files.all {
            checks.append(try check(role: role.inputRole, file: FileRecord(url: URL(fileURLWithPath: path)),
                                    pin: spec.data.pins[role]))
        }
        return Output(checks: checks)
    }

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
