import QuenchGate

extension EvalResult {
    /// The result from accumulated sums under `windowing`: Σ nll, Σ nll², the count and bytes.
    init(windowing: Windowing, context: Int, summed: Double, squares: Double, scored: Int, bytes: Int?,
         windows: Int, windowPositions: Int, seconds: Double) {
        self.init(windowingName: windowing.description, context: context, summed: summed, squares: squares,
                  scored: scored, bytes: bytes, windows: windows, windowPositions: windowPositions, seconds: seconds)
    }
}
