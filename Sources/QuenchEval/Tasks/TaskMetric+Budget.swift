import QuenchGate

extension TaskMetric {
    /// The text an answer must reproduce for this metric to score it right, when there is one:
    /// exact_match's and contains' normalised reference (so a reference longer than the generation
    /// budget can never be met); nil for the others (json_fields compares values, whatever the spacing).
    func reproducedText(of reference: String) -> String? {
        textOptions.map { String(String.UnicodeScalarView($0.normalize(reference))) }
    }
}
