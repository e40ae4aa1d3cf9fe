import Foundation
import Yams

/// Finds the files a training configuration refers to (`model`, `data.train`, `data.validation`) and
/// rewrites those keys, and `output`, to paths inside the bundle; every other key is kept as written.
struct TrainingYAMLRewrite {
    let file: String
    let baseDirectory: URL
    private var root: Node.Mapping
    /// Bundle-relative path → source file, in copy order.
    private(set) var copies: [(String, URL)] = []
    private var data: Node.Mapping
    private var modelPath: String?

    init(yaml: String, file: String, baseDirectory: URL) throws {
        self.file = file
        self.baseDirectory = baseDirectory
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw DispatchError.invalidTrainingConfig(file: file, reason: "it is not valid YAML: \(error)")
        }
        guard case .mapping(let mapping)? = node else {
            throw DispatchError.invalidTrainingConfig(file: file, reason: "it must be a mapping of training keys")
        }
        root = mapping
        guard case .mapping(let data)? = Self.value("data", in: mapping) else {
            throw DispatchError.invalidTrainingConfig(file: file, reason: "key 'data' must be a mapping with 'train'")
        }
        self.data = data
        for key in ["train", "validation"] {
            guard let value = Self.value(key, in: data), value.null == nil else {
                if key == "train" {
                    throw DispatchError.invalidTrainingConfig(file: file, reason: "key 'data.train' is required")
                }
                continue
            }
            guard let path = value.scalar?.string, !path.isEmpty else {
                throw DispatchError.invalidTrainingConfig(file: file, reason: "key 'data.\(key)' must be a path")
            }
            let source = resolve(path)
            let relative = "data/\(key)/\(source.lastPathComponent)"
            copies.append((relative, source))
            self.data = Self.replacing(key, in: self.data, with: relative)
        }
    }

    /// The files of the configuration's `model`: the file itself, or every regular file at the top of
    /// the folder it names.
    func configuredModelFiles() throws -> [URL] {
        guard let value = Self.value("model", in: root), let path = value.scalar?.string, value.null == nil, !path.isEmpty else {
            throw DispatchError.invalidTrainingConfig(
                file: file, reason: "no model: set 'model' in the configuration or give the model files")
        }
        return try JobBundle.modelFiles(at: resolve(path))
    }

    /// Copies `files` into `model/`: a lone `.gguf` is the model itself, anything else is a folder.
    mutating func setModel(_ files: [URL]) {
        for url in files { copies.append(("model/\(url.lastPathComponent)", url)) }
        if files.count == 1, let only = files.first, only.pathExtension.lowercased() == "gguf" {
            modelPath = "model/\(only.lastPathComponent)"
        } else {
            modelPath = "model"
        }
    }

    /// Names `ModelReference.fileName` as the model: the training machine fetches it from the hub.
    mutating func setModelReference() {
        modelPath = ModelReference.fileName
    }

    /// The configuration with bundle-relative paths; refuses two model files with the same name.
    func rewritten() throws -> String {
        var seen = Set<String>()
        for (relative, _) in copies where !seen.insert(relative).inserted {
            throw DispatchError.invalidTrainingConfig(file: file, reason: "two files would both be \(relative) in the bundle")
        }
        var mapping = Self.replacing("data", in: root, with: Node.mapping(data))
        mapping = Self.replacing("output", in: mapping, with: JobBundle.outputFolder)
        if let modelPath { mapping = Self.replacing("model", in: mapping, with: modelPath) }
        do {
            return "# written by quench: the training configuration of a job bundle, paths relative to the bundle\n"
                + (try Yams.serialize(node: .mapping(mapping)))
        } catch {
            throw DispatchError.invalidTrainingConfig(file: file, reason: "cannot write it back as YAML: \(error)")
        }
    }

    private func resolve(_ path: String) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : baseDirectory.appendingPathComponent(expanded)
    }

    static func value(_ key: String, in mapping: Node.Mapping) -> Node? {
        mapping.first { $0.key.scalar?.string == key }?.value
    }

    static func replacing(_ key: String, in mapping: Node.Mapping, with text: String) -> Node.Mapping {
        replacing(key, in: mapping, with: Node(text))
    }

    /// `mapping` with the value of `key` replaced (or the pair appended), keys kept in order.
    static func replacing(_ key: String, in mapping: Node.Mapping, with value: Node) -> Node.Mapping {
        var pairs = mapping.map { ($0.key, $0.value) }
        if let index = pairs.firstIndex(where: { $0.0.scalar?.string == key }) {
            pairs[index].1 = value
        } else {
            pairs.append((Node(key), value))
        }
        return Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark)
    }
}
