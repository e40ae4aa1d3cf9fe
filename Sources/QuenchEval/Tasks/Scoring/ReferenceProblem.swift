/// Why a reference cannot be scored by a metric. The loader of a generative set adds the file, the
/// line and the metric's name; these messages say what is wrong with the reference and how to fix it.
public enum ReferenceProblem: Error, Equatable, CustomStringConvertible {
    /// The reference is empty (after the metric's normalisations), so every answer would match it.
    case emptyReference(metric: String)
    /// A json_fields reference that is not a JSON object, or an object without fields.
    case notAJSONObject(reason: String)
    /// A regex reference that does not compile: the byte offset in the pattern and why.
    case regex(offset: Int, reason: String)
    /// A regex reference over one of the caps that keep matching linear-time and bounded.
    case regexTooLarge(what: String, limit: Int)

    public var description: String {
        switch self {
        case .emptyReference:
            return "the reference is empty, so every answer would match; give a non-empty reference"
        case .notAJSONObject(let reason):
            return "the reference must be a JSON object with at least one field: \(reason)"
        case .regex(let offset, let reason):
            return "the pattern does not compile at byte \(offset): \(reason)"
        case .regexTooLarge(let what, let limit):
            return "the pattern is too large: \(what) is over the limit of \(limit); simplify it "
                + "(Quench caps patterns so that matching stays linear in the answer)"
        }
    }
}
