/// The micro-batches of every step one rank computes: a contiguous share of the step's
/// `gradient_accumulation` micro-batches, the same size on every rank.
///
/// Every rank draws all of a step's micro-batches from its own copy of the data cursor and keeps
/// its share, so the cursor is global (a checkpoint resumes with any rank count dividing the
/// accumulation) and the rows one step trains on do not depend on how many ranks compute them.
public struct RankShare: Equatable {
    let rank: Int
    let ranks: Int
    let accumulation: Int

    /// The share of `rank` of `ranks` in steps of `accumulation` micro-batches.
    /// - Throws: `TrainingError.invalidSetting` naming `gradient_accumulation` when `ranks` does not
    ///   divide it, with the accumulations and rank counts that work.
    init(rank: Int, ranks: Int, accumulation: Int) throws(TrainingError) {
        guard ranks > 0, (0..<ranks).contains(rank) else {
            throw TrainingError.invalidSetting(
                key: "ranks", reason: "rank \(rank) of \(ranks) is not a rank of the launch; start it with mpirun or srun --mpi=pmix")
        }
        try Self.requireShareable(accumulation: accumulation, ranks: ranks)
        (self.rank, self.ranks, self.accumulation) = (rank, ranks, accumulation)
    }

    /// Refuses steps of `accumulation` micro-batches that `ranks` ranks cannot share evenly, as a launch
    /// of that many ranks would: the rule for checks made before any launch (a job spec, a submission).
    /// - Throws: `TrainingError.invalidSetting` naming `gradient_accumulation`, with the accumulations and
    ///   rank counts that work; naming `ranks` for a count below 1.
    public static func requireShareable(accumulation: Int, ranks: Int) throws(TrainingError) {
        guard ranks > 0 else {
            throw TrainingError.invalidSetting(key: "ranks", reason: "\(ranks) ranks cannot train; a launch has at least 1")
        }
        guard accumulation > 0, accumulation % ranks == 0 else {
            throw TrainingError.invalidSetting(key: "gradient_accumulation", reason: indivisible(accumulation, ranks: ranks))
        }
    }

    /// The indices (within a step) of the micro-batches this rank computes.
    var local: Range<Int> {
        let each = accumulation / ranks
        return rank * each ..< (rank + 1) * each
    }

    /// Why `ranks` ranks cannot share steps of `accumulation` micro-batches, and what would work.
    private static func indivisible(_ accumulation: Int, ranks: Int) -> String {
        let below = accumulation / ranks * ranks
        let (above, overflow) = (accumulation / ranks + 1).multipliedReportingOverflow(by: ranks)
        let multiples = ([below] + (overflow ? [] : [above])).filter { $0 > 0 }.map(String.init).joined(separator: " or ")
        let divisors = (1...max(1, min(accumulation, 4096))).filter { accumulation % $0 == 0 }.prefix(8)
            .map(String.init).joined(separator: ", ")
        return "\(ranks) ranks train together, and each must compute the same number of each step's \(accumulation) "
            + "micro-batches; set gradient_accumulation to a multiple of \(ranks) (\(multiples)), "
            + "or launch a number of ranks that divides \(accumulation) (\(divisors))"
    }
}
