import Foundation
import QuenchDistributed
import QuenchSecurity
import QuenchTensor

/// Checks that every rank holds what rank 0 holds, so the ranks take the same steps: before the first
/// step the configuration, the data and the loaded weights; at every checkpoint the weights again, so a
/// run whose ranks drifted apart stops before it saves anything.
///
/// Each rank hashes its own copy (SHA-256) and the digests are gathered: a few bytes cross the network,
/// never the tensors. A group of one hashes nothing.
struct RankAgreement {
    let group: any ProcessGroup

    /// What the ranks compare: a name for the error and how to hash it on this rank.
    struct Part {
        let name: String
        let digest: () -> String
    }

    /// Gathers every rank's digests of `parts` and throws when a rank's differ from rank 0's.
    /// - Throws: `DistributedError.ranksDisagree` naming what differs and the ranks that hold it.
    func check(_ parts: [Part], _ operation: Collective) throws(DistributedError) {
        guard group.size > 1 else { return }
        let digests = parts.map { $0.digest() }
        let all = try group.gather(Array(digests.joined().utf8), operation)
        let width = digests.first?.utf8.count ?? 0
        var differing: [String] = [], ranks: Set<Int> = []
        for (index, part) in parts.enumerated() {
            let segment = { (bytes: [UInt8]) in bytes.dropFirst(index * width).prefix(width) }
            let holders = all.indices.filter { segment(all[$0]) != segment(all[0]) }
            if !holders.isEmpty {
                differing.append(part.name)
                ranks.formUnion(holders)
            }
        }
        guard differing.isEmpty else {
            throw DistributedError.ranksDisagree(what: differing.joined(separator: " and "), operation: operation.description,
                                                 ranks: ranks.sorted())
        }
    }

    /// The parts compared before the first step: the Quench release, the settings that decide the maths,
    /// the rows and where the data cursor stands, and every tensor loaded (base model, trained tensors,
    /// AdamW moments).
    static func start(config: TrainingConfig, quenchVersion: String, data: TrainingData, cursor: DataCursor, step: Int,
                      totalSteps: Int, state: TrainableState) -> [Part] {
        [
            Part(name: "Quench release") { FileDigest.sha256(of: Data("quench \(quenchVersion)".utf8)) },
            Part(name: "configuration") {
                FileDigest.sha256(of: Data("\(config.canonicalHash()) \(config.precision) steps \(step)/\(totalSteps)".utf8))
            },
            Part(name: "data") {
                let sets = [data.training] + (data.validation.map { [$0] } ?? [])
                return FileDigest.sha256(of: Data((sets.map(\.digest) + ["\(cursor.epoch).\(cursor.position)"]).joined(separator: " ").utf8))
            },
            Part(name: "weights") {
                FileDigest.sha256(of: Data(loadedBlocks(state).map(RankAgreement.digest).joined(separator: " ").utf8))
            },
        ]
    }

    /// Every tensor block `state` holds, each once: full fine-tuning trains the model's own parameters.
    static func loadedBlocks(_ state: TrainableState) -> [TensorBlock] {
        let blocks = [state.model.parameters, state.weights, state.optimizer.firstMoment, state.optimizer.secondMoment]
        return blocks.enumerated().filter { index, block in !blocks[..<index].contains { $0 === block } }.map(\.element)
    }

    /// The part compared at a checkpoint: the trained tensors.
    static func weights(_ state: TrainableState) -> [Part] {
        [Part(name: "weights") { digest(state.weights) }]
    }

    /// SHA-256 of a block's floats as they lie in memory.
    static func digest(_ block: TensorBlock) -> String {
        FileDigest.sha256(of: UnsafeRawBufferPointer(block.flat.storage))
    }
}
