import Foundation

/// Draws training and validation loss against the step as an inline SVG (no scripts, no fonts to
/// fetch), so the HTML report stays one self-contained file.
enum LossChartSVG {
    static let width = 720.0, height = 320.0
    static let left = 64.0, right = 20.0, top = 20.0, bottom = 44.0

    static func render(_ curve: TrainingCurve) -> String {
        let training = curve.points.map { ($0.step, $0.loss) }
        let validation = curve.points.compactMap { point in point.validationLoss.map { (point.step, $0) } }
        guard let firstStep = training.first?.0, let lastStep = training.last?.0 else {
            return #"<p class="muted">No training steps were recorded.</p>"#
        }
        let losses = training.map(\.1) + validation.map(\.1)
        let low = 0.0, high = niceCeiling(losses.max() ?? 1)
        let stepSpan = Double(max(lastStep - firstStep, 1))
        func x(_ step: Int) -> Double { left + (Double(step - firstStep) / stepSpan) * (width - left - right) }
        func y(_ loss: Double) -> Double { top + (1 - (loss - low) / (high - low)) * (height - top - bottom) }

        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(Int(width)) \#(Int(height))" role="img" aria-label="Training and validation loss by step" class="chart">"#
        for tick in 0...4 {
            let value = high * Double(tick) / 4
            let row = y(value)
            svg += #"<line x1="\#(f(left))" y1="\#(f(row))" x2="\#(f(width - right))" y2="\#(f(row))" class="grid"/>"#
            svg += #"<text x="\#(f(left - 8))" y="\#(f(row + 4))" text-anchor="end">\#(String(format: "%.2f", value))</text>"#
        }
        for step in stepTicks(firstStep, lastStep) {
            svg += #"<text x="\#(f(x(step)))" y="\#(f(height - bottom + 18))" text-anchor="middle">\#(step)</text>"#
        }
        svg += #"<text x="\#(f((left + width - right) / 2))" y="\#(f(height - 6))" text-anchor="middle">step</text>"#
        svg += #"<text x="14" y="\#(f((top + height - bottom) / 2))" text-anchor="middle" transform="rotate(-90 14 \#(f((top + height - bottom) / 2)))">loss</text>"#
        let path = training.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ")
        svg += #"<polyline points="\#(path)" class="train"/>"#
        if validation.count > 1 {
            let validationPath = validation.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ")
            svg += #"<polyline points="\#(validationPath)" class="validation"/>"#
        }
        for (step, loss) in validation {
            svg += #"<circle cx="\#(f(x(step)))" cy="\#(f(y(loss)))" r="4" class="validation-point"><title>step \#(step): validation \#(String(format: "%.4f", loss))</title></circle>"#
        }
        svg += #"<g class="legend"><line x1="\#(f(width - 190))" y1="\#(f(top + 8))" x2="\#(f(width - 166))" y2="\#(f(top + 8))" class="train"/><text x="\#(f(width - 160))" y="\#(f(top + 12))">training</text>"#
        svg += #"<circle cx="\#(f(width - 84))" cy="\#(f(top + 8))" r="4" class="validation-point"/><text x="\#(f(width - 74))" y="\#(f(top + 12))">validation</text></g>"#
        return svg + "</svg>"
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The smallest of 1, 2, 2.5, 5 times a power of ten at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value.isFinite, value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }

    /// Up to six evenly spread step labels, always including the first and last step.
    static func stepTicks(_ first: Int, _ last: Int) -> [Int] {
        guard last > first else { return [first] }
        let count = min(5, last - first)
        return (0...count).map { first + (last - first) * $0 / count }
    }
}
