import Foundation
import QuenchFiles
import Testing
@testable import QuenchRegistry

/// The lineage's training curve: absent from records that have none (so they encode, and hash, as
/// before), kept when present, and refused at registration when it is not a curve the page can draw.
@Suite struct LineageTrainingCurveTests {
    private func lineage(curve: [LossPoint]?) -> Lineage {
        Lineage(
            baseModel: BaseModelLineage(source: "base", commit: "abc", files: [HashedFile(path: "model.safetensors", sha256: "11")]),
            datasets: [DatasetLineage(path: "train.jsonl", sha256: "22", records: 100)], jobSpecSHA256: "33",
            hyperparameters: .object(["rank": .int(8)]), quenchVersion: "0.1.0", architecture: "llama", trainedBy: "trainer-t",
            trainingCurve: curve)
    }

    @Test func aLineageWithoutACurveEncodesExactlyAsBefore() throws {
        let text = String(decoding: try JSONCoding.lineEncoder.encode(lineage(curve: nil)), as: UTF8.self)
        #expect(text == #"{"architecture":"llama","base_model":{"commit":"abc","files":[{"path":"model.safetensors","sha256":"11"}],"source":"base"},"datasets":[{"path":"train.jsonl","records":100,"sha256":"22"}],"hyperparameters":{"rank":8},"job_spec_sha256":"33","quench_version":"0.1.0","trained_by":"trainer-t"}"#)
        let decoded = try JSONCoding.decoder.decode(Lineage.self, from: Data(text.utf8))
        #expect(decoded.trainingCurve == nil)
        #expect(decoded == lineage(curve: nil))
    }

    @Test func aCurveRoundTripsUnderItsKeys() throws {
        let curve = [LossPoint(step: 1, loss: 2.5), LossPoint(step: 2, loss: 2.25, validationLoss: 2.4)]
        let text = String(decoding: try JSONCoding.lineEncoder.encode(lineage(curve: curve)), as: UTF8.self)
        #expect(text.contains(#""training_curve":[{"loss":2.5,"step":1},{"loss":2.25,"step":2,"validation_loss":2.4}]"#))
        #expect(try JSONCoding.decoder.decode(Lineage.self, from: Data(text.utf8)).trainingCurve == curve)
    }

    @Test func aVersionRegisteredWithoutACurveStoresAndAuditsNoCurveKey() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let registry = try fixture.registry(as: "trainer-t")
        let version = try registry.register(try fixture.candidate())
        #expect(version.lineage.trainingCurve == nil)
        #expect(!(try version.storedJSON().lineage.contains("training_curve")))
        let registered = try #require(try registry.auditLog().last)
        #expect(!registered.body.contains("training_curve"))
    }

    @Test(arguments: [
        ([LossPoint(step: 1, loss: 2), LossPoint(step: 2, loss: .nan)], "point 2 (step 2): its loss is nan, not a finite number"),
        ([LossPoint(step: 1, loss: 2, validationLoss: .infinity)], "point 1 (step 1): its validation_loss is inf, not a finite number"),
        ([LossPoint(step: 5, loss: 2), LossPoint(step: 5, loss: 1.9)], "point 2 (step 5): its step does not follow step 5 of the point before"),
        ([LossPoint(step: 5, loss: 2), LossPoint(step: 6, loss: 1.9), LossPoint(step: 3, loss: 1.8)],
         "point 3 (step 3): its step does not follow step 6 of the point before"),
    ])
    func aCurveThatCannotBeDrawnIsRefusedNamingThePoint(curve: [LossPoint], expected: String) throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        var request = try fixture.candidate()
        request.lineage.trainingCurve = curve
        let error = #expect(throws: RegistryError.self) { try fixture.registry(as: "trainer-t").register(request) }
        #expect(error?.description.contains("the lineage's training_curve is refused at \(expected)") == true)
        #expect(try fixture.registry(as: "trainer-t").list().isEmpty)
    }

    @Test func aCurveOfMoreThanTheLimitIsRefusedAndOneAtTheLimitRegisters() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        var request = try fixture.candidate()
        let limit = Lineage.trainingCurveLimit
        request.lineage.trainingCurve = (1...(limit + 1)).map { LossPoint(step: $0, loss: 1) }
        #expect(throws: RegistryError.trainingCurveTooLong(points: limit + 1, limit: limit)) {
            try fixture.registry(as: "trainer-t").register(request)
        }
        request.lineage.trainingCurve = (1...limit).map { LossPoint(step: $0, loss: 1 / Double($0)) }
        let version = try fixture.registry(as: "trainer-t").register(request)
        #expect(version.lineage.trainingCurve?.count == limit)
        let stored = try fixture.registry(as: "approver-a").show(version.reference)
        #expect(stored.lineage.trainingCurve == request.lineage.trainingCurve)
    }
}
