import Foundation
import Testing
import QuenchTestSupport

/// `mpirun -np 2 quench train` on tiny-llama against one process over the same global batches: with
/// one micro-batch per rank the weights are the same bits (each step sums G₀ + G₁ either way), with
/// two per rank they agree within 1e-5 relative; rank 0 alone writes; settings ranks cannot share are refused.
///
/// "Relative" is per tensor, ‖a − b‖₂ / ‖b‖₂, not per element: (G₀+G₁)+(G₂+G₃) and ((G₀+G₁)+G₂)+G₃
/// differ in the last bits, and AdamW's first step moves a weight by lr·g/(|g|+ε), so an element
/// whose gradient cancels to about ε moves by a visibly different fraction of lr (here one of
/// 10,240 in up_proj by 0.5 % of lr, 1.1e-5 of the tensor's largest weight); every other element
/// stays within a few ulp.
@Suite("mpirun -np 2 quench train", .serialized, .timeLimit(.minutes(6)), .requiresPrograms(MPIRun.programs))
struct DistributedTrainTests {
    @Test("2 ranks × 1 micro-batch equal 1 process with gradient_accumulation 2, bit for bit", arguments: ["lora", "full"])
    func twoRanksEqualOneProcess(method: String) throws {
        let runs = try DistributedRun("mpi-equal")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        try runs.alone(try runs.config("alone", method: method)).checked("quench train")
        let ranked = try runs.ranks(try runs.config("ranks", method: method))
        try #require(ranked.succeeded, "\(ranked.output)")

        let weights = DistributedRun.weights(method)
        #expect(try runs.bytes("ranks", weights) == runs.bytes("alone", weights), "the 2-rank \(weights) differs from 1 process's")
        let checkpoint = "checkpoints/checkpoint-00000006/tensors.safetensors"
        #expect(try runs.bytes("ranks", checkpoint) == runs.bytes("alone", checkpoint), "weights, m or v differ at the last checkpoint")
        #expect(try runs.steps("ranks") == runs.steps("alone"))
        #expect(try runs.steps("ranks").count == 6)
        #expect(runs.files("ranks") == runs.files("alone"), "rank 0 writes what one process writes, and nobody more")
        #expect(ranked.output.contains("rank 1/2"), "the log names the rank: \(ranked.output)")
    }

    @Test("mpirun -np 1 trains as a plain process, bit for bit")
    func oneRankEqualsOneProcess() throws {
        let runs = try DistributedRun("mpi-one")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        try runs.alone(try runs.config("alone")).checked("quench train")
        let ranked = try runs.ranks(try runs.config("ranks"), ranks: 1)
        try #require(ranked.succeeded, "\(ranked.output)")
        let weights = DistributedRun.weights("lora")
        #expect(try runs.bytes("ranks", weights) == runs.bytes("alone", weights))
        #expect(try runs.steps("ranks") == runs.steps("alone"))
        #expect(runs.files("ranks") == runs.files("alone"))
    }

    @Test("2 ranks × 2 micro-batches (full, gradient_accumulation 4) agree with 1 process within 1e-5 relative per tensor")
    func twoMicroBatchesPerRank() throws {
        let runs = try DistributedRun("mpi-four")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        try runs.alone(try runs.config("alone", method: "full", batchSize: 1, accumulation: 4)).checked("quench train")
        let ranked = try runs.ranks(try runs.config("ranks", method: "full", batchSize: 1, accumulation: 4))
        try #require(ranked.succeeded, "\(ranked.output)")

        let (ranks, alone) = (try runs.steps("ranks"), try runs.steps("alone"))
        try #require(ranks.count == 6 && alone.count == 6, "one metrics line per step: \(ranks.count) and \(alone.count) lines")
        // Weights within 1e-5 and the moments within 1e-4 relative per tensor, each step's loss and
        // gradient norm within 1e-5: AdamW's weights alone would not see a gradient sum of the wrong scale.
        let strays = try runs.strays("ranks", from: "alone", weights: DistributedRun.weights("full"), checkpoint: 6)
        #expect(strays.isEmpty, "2 ranks against 1 process: \(strays)")
    }

    @Test("a checkpoint of 2 ranks resumes with 1 process and with 2, one of 1 process with 2 ranks, to the uninterrupted run",
          arguments: [2, 4])
    func resumeWithAnotherRankCount(accumulation: Int) throws {
        let runs = try DistributedRun("mpi-resume-\(accumulation)")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        for name in ["ranks", "alone", "ranks-one", "ranks-two", "alone-two"] {
            try runs.config(name, method: "full", batchSize: 1, accumulation: accumulation)
        }
        let config = { (name: String) in runs.folder.appendingPathComponent("\(name).yaml") }
        try #require(try runs.ranks(config("ranks")).succeeded)
        try runs.alone(config("alone")).checked("quench train")
        try runs.interrupted("ranks", as: "ranks-one", atStep: 4)
        try runs.interrupted("ranks", as: "ranks-two", atStep: 4)
        try runs.interrupted("alone", as: "alone-two", atStep: 4)

        // Each resumed run trains steps 5 and 6 only: from scratch it would end with the same weights.
        let alone = try runs.alone(config("ranks-one"), ["--resume"]).checked("quench train --resume")
        #expect(alone.output.contains("step 5/6") && !alone.output.contains("step 4/6"), "\(alone.output)")
        for name in ["ranks-two", "alone-two"] {
            let resumed = try runs.ranks(config(name), ["--resume"])
            try #require(resumed.succeeded, "\(resumed.output)")
            #expect(resumed.output.contains("step 5/6") && !resumed.output.contains("step 4/6"), "\(resumed.output)")
        }

        let weights = DistributedRun.weights("full")
        #expect(try runs.bytes("ranks-two", weights) == runs.bytes("ranks", weights), "2 ranks resumed 2 ranks' checkpoint differently")
        #expect(try runs.steps("ranks-two") == runs.steps("ranks"))
        // With one micro-batch per rank both rank counts sum each step as G₀ + G₁, so they match bit for bit.
        for (resumed, straight) in [("ranks-one", "ranks"), ("alone-two", "alone")] {
            if accumulation == 2 {
                #expect(try runs.bytes(resumed, weights) == runs.bytes(straight, weights), "\(resumed) differs from \(straight)")
            } else {
                let strays = try runs.strays(resumed, from: straight, weights: weights, checkpoint: 6)
                #expect(strays.isEmpty, "\(resumed) against \(straight): \(strays)")
            }
            #expect(try runs.steps(resumed).count == 6)
        }
    }

    @Test("rank 1 writes nothing: given another output folder (not hashed), it never appears")
    func onlyRankZeroWrites() throws {
        let runs = try DistributedRun("mpi-writer")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        let zero = try runs.config("zero")
        let one = try runs.config("one")
        let ranked = try MPIRun.run([runs.context(zero, ranks: 1), runs.context(one, ranks: 1)])
        try #require(ranked.succeeded, "\(ranked.output)")
        #expect(FileManager.default.fileExists(atPath: runs.run("zero").appendingPathComponent(DistributedRun.weights("lora")).path))
        #expect(!FileManager.default.fileExists(atPath: runs.run("one").path), "rank 1 created \(runs.files("one"))")
    }

    @Test("gradient_accumulation 3 over 2 ranks is refused at once, naming the key; nothing is trained")
    func accumulationNotDivisible() throws {
        let runs = try DistributedRun("mpi-three")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        let ranked = try runs.ranks(try runs.config("ranks", accumulation: 3), seconds: 60)
        #expect(!ranked.succeeded && ranked.output.contains("training setting 'gradient_accumulation'"), "\(ranked.output)")
        #expect(!FileManager.default.fileExists(atPath: runs.run("ranks").path), "\(runs.files("ranks"))")
    }

    @Test("ranks started on different weights, configuration or data (same paths, MPMD working folders) stop naming rank 1 and what differs",
          arguments: [("weights", "lora"), ("weights", "full"), ("configuration", "lora"), ("data", "lora")])
    func ranksThatDifferStop(difference: String, method: String) throws {
        let runs = try DistributedRun("mpi-differ")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        // Every rank's folder: tiny-llama, train.jsonl and run.yaml naming them by relative paths.
        let text = try String(contentsOf: try runs.config("ranks", method: method), encoding: .utf8)
            .replacingOccurrences(of: runs.data.path, with: "train.jsonl")
        let folders = try (0..<2).map { rank in
            let folder = runs.folder.appendingPathComponent("rank\(rank)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            _ = try TinyLlamaFixture.copy(into: folder)
            try FileManager.default.copyItem(at: runs.data, to: folder.appendingPathComponent("train.jsonl"))
            try Data(text.utf8).write(to: folder.appendingPathComponent("run.yaml"))
            return folder
        }
        switch difference {
        case "weights":
            let weights = folders[1].appendingPathComponent("tiny-llama/model.safetensors")
            var bytes = try Data(contentsOf: weights)
            bytes[bytes.count - 2] ^= 0x01 // a mantissa bit of the last float of the last tensor
            try bytes.write(to: weights)
        case "configuration":
            try Data(text.replacingOccurrences(of: "learning_rate: 1.0e-3", with: "learning_rate: 2.0e-3").utf8)
                .write(to: folders[1].appendingPathComponent("run.yaml"))
        default:
            try TinyModel.writeData(folders[1].appendingPathComponent("train.jsonl"), count: 40, offset: 1)
        }

        let contexts = folders.map {
            MPIRun.Context(ranks: 1, program: QuenchBinary.url, arguments: ["train", "run.yaml", "--model", "tiny-llama"], directory: $0)
        }
        let ranked = try MPIRun.run(contexts, seconds: 60)
        #expect(!ranked.succeeded && ranked.output.contains("rank 1 holds different \(difference) from rank 0"), "\(ranked.output)")
        #expect(!FileManager.default.fileExists(atPath: runs.run("ranks").appendingPathComponent(DistributedRun.weights(method)).path))
    }
}
