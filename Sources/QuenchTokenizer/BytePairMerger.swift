/// Runs the BPE merges on one piece: repeatedly joins the adjacent pair with the lowest rule rank
/// (leftmost on ties), as Hugging Face and llama.cpp do. Buffers are reused across pieces.
/// A byte without a token is the symbol -1: it never merges, and neighbours do not merge across
/// it (llama.cpp's behaviour); the caller drops it.
/// - Complexity: O(n log n) in the piece's byte count n, via a heap of candidate pairs over a
///   linked list of symbols, so a hostile 100 KB run of one letter stays fast.
struct BytePairMerger {
    private var symbols: [Int32] = []
    private var next: [Int32] = []
    private var previous: [Int32] = []
    private var heap = CandidateHeap()

    /// Appends the ids `bytes` merges into to `output` (-1 for each byte that has no token).
    mutating func merge(
        _ bytes: UnsafeBufferPointer<UInt8>, idForByte: [Int32], rules: MergeTable, into output: inout [Int32]
    ) {
        let count = bytes.count
        if count == 1 {
            output.append(idForByte[Int(bytes[0])])
            return
        }
        symbols.removeAll(keepingCapacity: true)
        next.removeAll(keepingCapacity: true)
        previous.removeAll(keepingCapacity: true)
        heap.removeAll()
        for index in 0..<count {
            symbols.append(idForByte[Int(bytes[index])])
            next.append(Int32(index + 1))
            previous.append(Int32(index - 1))
        }
        for index in 0..<(count - 1) { pushCandidate(at: Int32(index), rules: rules) }

        while let candidate = heap.popMin() {
            let left = Int(candidate.position)
            let right = Int(next[left])
            // Stale entries (a side already merged into something else) are skipped.
            guard right < count, symbols[left] == candidate.left, symbols[right] == candidate.right,
                  previous[right] == Int32(left) else { continue }
            symbols[left] = candidate.merged
            let afterRight = next[right]
            next[left] = afterRight
            previous[right] = -1
            next[right] = Int32(count)
            if Int(afterRight) < count { previous[Int(afterRight)] = Int32(left) }
            if previous[left] >= 0 { pushCandidate(at: previous[left], rules: rules) }
            if Int(afterRight) < count { pushCandidate(at: Int32(left), rules: rules) }
        }
        var index = 0
        while index < count {
            output.append(symbols[index])
            index = Int(next[index])
        }
    }

    private mutating func pushCandidate(at position: Int32, rules: MergeTable) {
        let left = symbols[Int(position)]
        let right = symbols[Int(next[Int(position)])]
        guard left >= 0, right >= 0, let rule = rules.rule(left, right) else { return }
        heap.push(MergeCandidate(rank: rule.rank, position: position, left: left, right: right, merged: rule.merged))
    }
}

/// A pair that a rule could join: ordered by rank, then position (leftmost first).
struct MergeCandidate {
    var rank: Int32
    var position: Int32
    var left: Int32
    var right: Int32
    var merged: Int32

    @inline(__always)
    func precedes(_ other: MergeCandidate) -> Bool {
        rank != other.rank ? rank < other.rank : position < other.position
    }
}

/// A binary min-heap of merge candidates.
struct CandidateHeap {
    private var items: [MergeCandidate] = []

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    mutating func push(_ item: MergeCandidate) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> MergeCandidate? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            if left >= items.count { break }
            let right = left + 1
            let smaller = right < items.count && items[right].precedes(items[left]) ? right : left
            guard items[smaller].precedes(items[parent]) else { break }
            items.swapAt(smaller, parent)
            parent = smaller
        }
        return top
    }
}
