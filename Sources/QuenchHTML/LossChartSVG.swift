import Foundation

/// Draws training and validation loss against the step as an inline SVG (no scripts, no fonts to
/// fetch, no inline styles: the page's stylesheet colours the classes `chart`, `grid`, `train`,
/// `validation` and `validation-point`), for the run report and the registry's version page.
public enum LossChartSVG {
    /// One step's losses.
    public struct Point: Sendable, Equatable {
        public let step: Int
        public let loss: Double
        /// Present on the steps where validation ran.
        public let validationLoss: Double?

        /// A step's training loss and, when validation ran at it, its validation loss.
        public init(step: Int, loss: Double, validationLoss: Double? = nil) {
            self.step = step
            self.loss = loss
            self.validationLoss = validationLoss
        }
    }

    /// The CSS rules for the chart's classes, for a page that shows it (the CSP of the registry's pages
    /// forbids styles in the SVG itself).
    public static let css = """
        .chart{width:100%;height:auto;font-size:12px;fill:#444}.chart .grid{stroke:#eee}
        .chart .train{fill:none;stroke:#1a73e8;stroke-width:2}.chart .validation{fill:none;stroke:#e8710a;stroke-width:1.5;stroke-dasharray:4 3}
        .chart .validation-point{fill:#e8710a}
        """

    static let width = 720.0, height = 320.0
    static let left = 64.0, right = 20.0, top = 20.0, bottom = 44.0

    /// The chart of `points` (in step order); a paragraph saying so when none has a finite loss.
    /// Points whose loss is not a finite number are left out, as is a non-finite validation loss.
    public static func render(_ points: [Point]) -> String {
        let training = points.filter { $0.loss.isFinite }.map { (step: $0.step, loss: $0.loss) }
        let validation = points.compactMap { point -> (step: Int, loss: Double)? in
            guard let loss = point.validationLoss, loss.isFinite else { return nil }
            return (point.step, loss)
        }
        guard let firstStep = training.first?.step, let lastStep = training.last?.step else {
            return #"<p class="muted">No training steps were recorded.</p>"#
        }
        let losses = training.map { $0.loss } + validation.map { $0.loss }
        let high = niceCeiling(losses.max() ?? 1)
        // Steps come from files and requests, so positions are computed in Double: no Int overflow.
        let stepSpan = max(Double(lastStep) - Double(firstStep), 1)
        func x(_ step: Double) -> Double { left + ((step - Double(firstStep)) / stepSpan) * (width - left - right) }
        func y(_ loss: Double) -> Double { top + (1 - max(loss, 0) / high) * (height - top - bottom) }

        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(Int(width)) \#(Int(height))" role="img" aria-label="Training and validation loss by step" class="chart">"#
        for tick in 0...4 {
            let value = high * Double(tick) / 4
            let row = y(value)
            svg += #"<line x1="\#(f(left))" y1="\#(f(row))" x2="\#(f(width - right))" y2="\#(f(row))" class="grid"/>"#
            svg += #"<text x="\#(f(left - 8))" y="\#(f(row + 4))" text-anchor="end">\#(String(format: "%.2f", value))</text>"#
        }
        for step in stepTicks(firstStep, lastStep) {
            svg += #"<text x="\#(f(x(step)))" y="\#(f(height - bottom + 18))" text-anchor="middle">\#(String(format: "%.0f", step))</text>"#
        }
        svg += #"<text x="\#(f((left + width - right) / 2))" y="\#(f(height - 6))" text-anchor="middle">step</text>"#
        svg += #"<text x="14" y="\#(f((top + height - bottom) / 2))" text-anchor="middle" transform="rotate(-90 14 \#(f((top + height - bottom) / 2)))">loss</text>"#
        let path = training.map { "\(f(x(Double($0.step)))),\(f(y($0.loss)))" }.joined(separator: " ")
        svg += #"<polyline points="\#(path)" class="train"/>"#
        if validation.count > 1 {
            let validationPath = validation.map { "\(f(x(Double($0.step)))),\(f(y($0.loss)))" }.joined(separator: " ")
            svg += #"<polyline points="\#(validationPath)" class="validation"/>"#
        }
        for (step, loss) in validation {
            svg += #"<circle cx="\#(f(x(Double(step))))" cy="\#(f(y(loss)))" r="4" class="validation-point"><title>step \#(step): validation \#(String(format: "%.4f", loss))</title></circle>"#
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

    /// Up to six evenly spread step labels (whole numbers), always including the first and last step.
    static func stepTicks(_ first: Int, _ last: Int) -> [Double] {
        let span = Double(last) - Double(first)
        guard span > 0 else { return [Double(first)] }
        let count = Int(min(5, span))
        return (0...count).map { ($0 == count ? Double(last) : Double(first) + (span * Double($0) / Double(count)).rounded(.down)) }
    }
}
