import Hummingbird
import QuenchRegistry

extension APIError {
    /// The status and code of each registry refusal; the message is the registry's own.
    init(registry error: RegistryError) {
        let message = error.description
        switch error {
        case .permissionDenied:
            self.init(.forbidden, code: "forbidden", message: message)
        case .selfApproval, .trainerApproval:
            self.init(.forbidden, code: "separation_of_duties", message: message)
        case .invalidName, .artifactsUnreadable, .invalidUserName, .userNeedsRole, .proofRangeInvalid, .trainingCurveInvalid,
             .trainingCurveTooLong:
            self.init(.badRequest, code: "bad_request", message: message)
        case .versionNotFound, .aliasHasNoHistory, .userNotFound:
            self.init(.notFound, code: "not_found", message: message)
        case .invalidTransition, .flaggedForReview, .aliasHeld, .userExists:
            self.init(.conflict, code: "conflict", message: message)
        case .aliasMoved:
            self.init(.conflict, code: "alias_moved", message: message)
        case .artifactTampered, .signatureInvalid:
            self.init(.conflict, code: "artifact_tampered", message: message)
        case .gateReportUnreadable, .gateReportInvalid, .gateFailed, .gateFileChanged, .gateFileUnreadable, .artifactNotEvaluated,
             .evaluatedArtifactMissing, .uploadedGateFileUnknown:
            self.init(.unprocessableContent, code: "gate_refused", message: message)
        case .configUnreadable, .actorUnknown, .localIdentityOnServer, .actorOverrideRefused, .signingKeyMissing, .signingKeyInsecure,
             .signingKeyInvalid, .storeFailure, .storeCorrupt, .checkpointWriteFailed, .checkpointInvalid, .bomUnwritable:
            self.init(.internalServerError, code: "internal", message: message)
        }
    }
}
