/// Comparison of secrets (CSRF tokens) whose time does not depend on where they first differ.
enum ConstantTime {
    /// True when `a` and `b` are the same bytes; the time taken depends only on their lengths.
    static func equal(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}
