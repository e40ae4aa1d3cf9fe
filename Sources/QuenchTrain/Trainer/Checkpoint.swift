import Foundation
import QuenchFiles
import QuenchModel
import QuenchSecurity
import QuenchTensor

/// A training checkpoint: the trained tensors, the AdamW moments, the step, the data cursor and the
/// hash of the configuration, in `checkpoint-<step>/` directories written whole or not at all, with
/// a `latest` file naming the newest.
struct Checkpoint: Codable, Equatable {
    var step: Int
    var cursor: DataCursor
    var configHash: String
    var method: TrainingConfig.Method

    static let stateFile = "state.json"
    static let tensorsFile = "tensors.safetensors"
    static let latestFile = "latest"
    /// The `latest` pointer holds one folder name; anything larger is not one.
    static let pointerLimit = 4 << 10
    /// A checkpoint's state.json holds a few numbers and a hash; 1 MiB is far beyond any real one.
    static let stateLimit = 1 << 20

    /// Writes the checkpoint of `state` under `directory`, then points `latest` at it and removes
    /// older ones (the newest two are kept).
    func write(_ state: TrainableState, under directory: URL) throws {
        let manager = FileManager.default
        let name = String(format: "checkpoint-%08d", step)
        var entries: [SafetensorsWriter.Entry] = []
        for (prefix, block) in [("weight.", state.weights), ("m.", state.optimizer.firstMoment),
                                ("v.", state.optimizer.secondMoment)] {
            for (index, entry) in block.entries.enumerated() {
                entries.append(.init(name: prefix + entry.name, shape: entry.shape,
                                     values: .f32(block.tensor(at: index).toArray())))
            }
        }
        do {
            try AtomicDirectory.write(to: directory.appendingPathComponent(name), replacing: true) { staging in
                try SafetensorsWriter.write(entries, to: staging.appendingPathComponent(Checkpoint.tensorsFile))
                try JSONCoding.fileEncoder.encode(self).write(to: staging.appendingPathComponent(Checkpoint.stateFile))
            }
            try AtomicFile.write(Data(name.utf8), to: directory.appendingPathComponent(Checkpoint.latestFile))
        } catch let error as AtomicFile.Failure {
            throw TrainingError.writeFailed(path: error.path, reason: error.reason)
        }
        let old = try manager.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("checkpoint-") }.sorted().dropLast(2)
        for stale in old { try? manager.removeItem(at: directory.appendingPathComponent(stale)) }
    }

    /// The newest checkpoint under `directory`, or nil when there is none.
    /// - Throws: `TrainingError.invalidCheckpoint` naming the `latest` file when it names no checkpoint
    ///   folder (surrounding whitespace, as an editor leaves it, is ignored), or `state.json` with the
    ///   key when it cannot be read or decoded, or holds a number no run writes (a negative step,
    ///   epoch or position, or a step other than its folder's).
    static func latest(under directory: URL) throws -> (Checkpoint, URL)? {
        let pointer = directory.appendingPathComponent(latestFile)
        guard FileManager.default.fileExists(atPath: pointer.path) else { return nil }
        let data: Data
        do {
            data = try RegularFile.contents(of: pointer.path, limit: pointerLimit)
        } catch {
            throw TrainingError.invalidCheckpoint(path: pointer.path, reason: error.reason)
        }
        let name = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard isFolderName(name) else {
            throw TrainingError.invalidCheckpoint(
                path: pointer.path, reason: "it names \(String(reflecting: String(name.prefix(64)))), expected a folder "
                    + "checkpoint-<step> beside it; write the newest folder's name into it or remove it to start over")
        }
        let folder = directory.appendingPathComponent(name)
        let state = folder.appendingPathComponent(stateFile)
        let checkpoint: Checkpoint
        do {
            checkpoint = try JSONFile.read(Checkpoint.self, from: state, limit: stateLimit)
        } catch {
            throw TrainingError.invalidCheckpoint(path: state.path, reason: error.reason)
        }
        if let reason = checkpoint.invalidNumber(inFolder: name) {
            throw TrainingError.invalidCheckpoint(path: state.path, reason: reason)
        }
        return (checkpoint, folder)
    }

    /// What is wrong with the decoded numbers for a checkpoint stored in the folder `name`, or nil.
    private func invalidNumber(inFolder name: String) -> String? {
        let folderStep = Int(name.dropFirst("checkpoint-".count))
        if step < 0 || step != folderStep {
            return "at key step: \(step) is not the step \(folderStep.map(String.init) ?? name) of its folder"
        }
        if cursor.epoch < 0 { return "at key cursor.epoch: \(cursor.epoch) is negative" }
        if cursor.position < 0 { return "at key cursor.position: \(cursor.position) is negative" }
        return nil
    }

    /// True for `checkpoint-` followed by the digits of a step, the only names `write` gives folders.
    static func isFolderName(_ name: String) -> Bool {
        let prefix = "checkpoint-"
        let digits = name.utf8.dropFirst(prefix.utf8.count)
        return name.hasPrefix(prefix) && (1...19).contains(digits.count) && digits.allSatisfy { $0 &- 0x30 < 10 }
    }

    /// Loads the tensors and moments of the checkpoint in `folder` into `state`.
    func restore(_ state: TrainableState, from folder: URL) throws {
        let file = try SafetensorsFile(contentsOf: folder.appendingPathComponent(Checkpoint.tensorsFile))
        for (prefix, block) in [("weight.", state.weights), ("m.", state.optimizer.firstMoment),
                                ("v.", state.optimizer.secondMoment)] {
            for (index, entry) in block.entries.enumerated() {
                try file.read(prefix + entry.name, into: block.tensor(at: index).storage)
            }
        }
        state.optimizer.restore(step: step)
    }
}
