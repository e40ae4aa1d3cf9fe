/// One training step's losses as a version's lineage records them, so a reviewer sees the curve the
/// weights came from (the registry's version page draws it).
public struct LossPoint: Codable, Sendable, Equatable {
    public var step: Int
    public var loss: Double
    /// Present on the steps where validation ran.
    public var validationLoss: Double?

    enum CodingKeys: String, CodingKey {
        case step, loss, validationLoss = "validation_loss"
    }

    /// A step's training loss and, when validation ran at it, its validation loss.
    public init(step: Int, loss: Double, validationLoss: Double? = nil) {
        self.step = step
        self.loss = loss
        self.validationLoss = validationLoss
    }
}

extension Lineage {
    /// Most points a training curve may have: a run that logged more steps is thinned by its producer,
    /// and the registry refuses more so one record cannot grow without bound.
    public static let trainingCurveLimit = 100_000

    /// Refuses a training curve with a non-finite loss, steps that do not increase, or too many points.
    func validateTrainingCurve() throws {
        guard let curve = trainingCurve else { return }
        guard curve.count <= Self.trainingCurveLimit else {
            throw RegistryError.trainingCurveTooLong(points: curve.count, limit: Self.trainingCurveLimit)
        }
        for (index, point) in curve.enumerated() {
            let position = index + 1
            guard point.loss.isFinite else {
                throw RegistryError.trainingCurveInvalid(point: position, step: point.step, reason: "its loss is \(point.loss), not a finite number")
            }
            if let validation = point.validationLoss, !validation.isFinite {
                throw RegistryError.trainingCurveInvalid(
                    point: position, step: point.step, reason: "its validation_loss is \(validation), not a finite number")
            }
            if index > 0, point.step <= curve[index - 1].step {
                throw RegistryError.trainingCurveInvalid(
                    point: position, step: point.step, reason: "its step does not follow step \(curve[index - 1].step) of the point before")
            }
        }
    }
}
