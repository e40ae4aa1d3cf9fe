import Foundation
import QuenchGate
import QuenchSecurity

/// CycloneDX 1.6 ML-BOM of a registered version: the model, its files, its data, its base model and its signature.
public enum MLBOM {
    /// The BOM document; `serial` and `timestamp` are parameters so a BOM can be reproduced exactly.
    public static func document(for version: ModelVersion, quenchVersion: String, serial: UUID = UUID(), timestamp: String? = nil) -> JSONValue {
        let modelRef = "model:\(version.subject)"
        let datasets = version.lineage.datasets.map { dataset in
            (ref: "dataset:\(dataset.sha256)", dataset: dataset)
        }
        var modelCard: [String: JSONValue] = [
            "modelParameters": .object(compact([
                "task": .string("text-generation"),
                "architectureFamily": version.lineage.architecture.map(JSONValue.string),
                "modelArchitecture": version.lineage.architecture.map(JSONValue.string),
                "datasets": .array(datasets.map { .object(["ref": .string($0.ref)]) }),
            ])),
        ]
        let metrics = gateMetrics(version)
        if !metrics.isEmpty {
            modelCard["quantitativeAnalysis"] = .object(["performanceMetrics": .array(metrics)])
        }
        let weights = version.files.filter(\.isWeights)
        let model = JSONValue.object(compact([
            "type": .string("machine-learning-model"),
            "bom-ref": .string(modelRef),
            "name": .string(version.name),
            "version": .string(String(version.version)),
            "hashes": .array(weights.map { hash($0.sha256) }),
            "components": .array(version.files.map { file(ref: "\(modelRef)/\($0.path)", name: $0.path, sha256: $0.sha256) }),
            "modelCard": .object(modelCard),
            "pedigree": .object(["ancestors": .array([baseModel(version.lineage.baseModel)])]),
            "externalReferences": .array([.object([
                "type": .string("digital-signature"),
                "url": .string(URL(fileURLWithPath: version.artifactDirectory).appendingPathComponent(OpenSSFSigner.signatureFileName).absoluteString),
                "comment": .string("Signature over every artifact file, written at registration"),
                "hashes": .array([hash(version.signatureSHA256)]),
            ])]),
            "properties": .array(properties(version)),
        ]))
        let dataComponents = datasets.map { entry in
            JSONValue.object([
                "type": .string("data"),
                "bom-ref": .string(entry.ref),
                "name": .string(entry.dataset.path),
                "hashes": .array([hash(entry.dataset.sha256)]),
                "data": .array([.object([
                    "type": .string("dataset"),
                    "name": .string(entry.dataset.path),
                    "contents": .object(["properties": .array([property("quench:records", String(entry.dataset.records))])]),
                ])]),
                "properties": .array(entry.dataset.fingerprint.map { [property("quench:fingerprint", $0)] } ?? []),
            ])
        }
        return .object([
            "bomFormat": .string("CycloneDX"),
            "specVersion": .string("1.6"),
            "serialNumber": .string("urn:uuid:\(serial.uuidString.lowercased())"),
            "version": .int(1),
            "metadata": .object([
                "timestamp": .string(timestamp ?? Timestamp.string()),
                "tools": .object(["components": .array([.object([
                    "type": .string("application"), "name": .string("quench"), "version": .string(quenchVersion),
                ])])]),
            ]),
            "components": .array([model] + dataComponents),
            "dependencies": .array([.object([
                "ref": .string(modelRef), "dependsOn": .array(datasets.map { .string($0.ref) }),
            ])]),
        ])
    }

    private static func gateMetrics(_ version: ModelVersion) -> [JSONValue] {
        guard let report = try? GateReport.decode(Data(version.gateReport.utf8)) else { return [] }
        return report.checks.compactMap { check in
            guard let value = check.value else { return nil }
            return .object(compact([
                "type": .string(check.metric),
                "value": .string(String(value)),
                "slice": .string(check.set),
            ]))
        }
    }

    private static func baseModel(_ base: BaseModelLineage) -> JSONValue {
        .object(compact([
            "type": .string("machine-learning-model"),
            "bom-ref": .string("base:\(base.source)"),
            "name": .string(base.source),
            "version": base.commit.map(JSONValue.string),
            "components": .array(base.files.map { file(ref: "base:\(base.source)/\($0.path)", name: $0.path, sha256: $0.sha256) }),
        ]))
    }

    private static func properties(_ version: ModelVersion) -> [JSONValue] {
        var result = [
            property("quench:status", version.status.rawValue),
            property("quench:created_by", version.createdBy),
            property("quench:created_at", version.createdAt),
            property("quench:quench_version", version.lineage.quenchVersion),
            property("quench:hyperparameters", version.lineage.hyperparameters.canonical),
        ]
        if let approver = version.decidedBy { result.append(property("quench:decided_by", approver)) }
        if let job = version.lineage.jobSpecSHA256 { result.append(property("quench:job_spec_sha256", job)) }
        return result
    }

    private static func file(ref: String, name: String, sha256: String) -> JSONValue {
        .object(["type": .string("file"), "bom-ref": .string(ref), "name": .string(name), "hashes": .array([hash(sha256)])])
    }

    private static func hash(_ sha256: String) -> JSONValue {
        .object(["alg": .string("SHA-256"), "content": .string(sha256)])
    }

    private static func property(_ name: String, _ value: String) -> JSONValue {
        .object(["name": .string(name), "value": .string(value)])
    }

    private static func compact(_ members: [String: JSONValue?]) -> [String: JSONValue] {
        members.compactMapValues { $0 }
    }
}

extension Registry {
    /// The CycloneDX 1.6 ML-BOM of a version.
    public func bom(_ reference: VersionReference, quenchVersion: String) throws -> JSONValue {
        MLBOM.document(for: try show(reference), quenchVersion: quenchVersion)
    }
}
