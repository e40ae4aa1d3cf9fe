import Foundation
import QuenchFiles

/// Everything the registry refuses or fails at, each case naming what to fix.
public enum RegistryError: Error, Equatable, CustomStringConvertible {
    case configUnreadable(path: String, reason: String)
    case actorUnknown
    case actorOverrideRefused(requested: String, osUser: String, config: String)
    case permissionDenied(actor: String, action: String, needs: [String], grant: String)
    case selfApproval(actor: String, subject: String)
    case trainerApproval(actor: String, subject: String)
    case localIdentityOnServer
    case aliasMoved(name: String, alias: String, expected: Int?, found: Int?)
    case userExists(String)
    case proofRangeInvalid(first: Int, second: Int, size: Int)
    case invalidUserName(String)
    case userNeedsRole(String)
    case userNotFound(String)
    case uploadedGateFileUnknown(path: String, role: String, sha256: String)
    case invalidName(String)
    case versionNotFound(String)
    case invalidTransition(subject: String, action: String, from: String, allowed: [String])
    case flaggedForReview(subject: String, reason: String)
    case gateReportUnreadable(path: String, reason: String)
    case gateReportInvalid(path: String, reason: String)
    case gateFailed(path: String, reason: String)
    case gateFileChanged(path: String, expected: String, found: String)
    case gateFileUnreadable(path: String, role: String, reason: String)
    case artifactNotEvaluated(file: String, sha256: String)
    case evaluatedArtifactMissing(role: String, path: String, sha256: String)
    case artifactsUnreadable(path: String, reason: String)
    case artifactTampered(subject: String, file: String, reason: String)
    case signatureInvalid(directory: String, reason: String)
    case signingKeyMissing(path: String)
    case signingKeyInsecure(path: String, mode: String)
    case signingKeyInvalid(path: String, reason: String)
    case aliasHasNoHistory(name: String, alias: String)
    case aliasHeld(subject: String, alias: String)
    case storeFailure(operation: String, reason: String)
    case storeCorrupt(path: String, table: String, column: String, reason: String)
    case checkpointWriteFailed(path: String, reason: String)
    case checkpointInvalid(path: String, line: Int, reason: String)
    case bomUnwritable(path: String, reason: String)
    case trainingCurveInvalid(point: Int, step: Int, reason: String)
    case trainingCurveTooLong(points: Int, limit: Int)

    public var description: String {
        switch self {
        case .configUnreadable(let path, let reason):
            return "cannot read the registry config \(path): \(reason); pass --config or set QUENCH_REGISTRY_CONFIG"
        case .actorUnknown:
            return "cannot tell who is acting: no user name for this process and $USER is empty"
        case .actorOverrideRefused(let requested, let osUser, let config):
            return "QUENCH_ACTOR=\(requested) refused: \(config) does not list '\(requested)' under service_accounts with '\(osUser)' in its run_by list; unset QUENCH_ACTOR or add the service account"
        case .permissionDenied(let actor, let action, let needs, let grant):
            return "\(actor) may not \(action): it needs the role \(needs.joined(separator: " or ")); \(grant)"
        case .selfApproval(let actor, let subject):
            return "\(actor) registered \(subject) and so cannot decide on it (separation of duties); ask another approver"
        case .trainerApproval(let actor, let subject):
            return "\(actor) trained \(subject) (its lineage says so) and so cannot decide on it (separation of duties); ask another approver"
        case .localIdentityOnServer:
            return "a registry server acts only for authenticated users; there is no local identity to act as"
        case .aliasMoved(let name, let alias, let expected, let found):
            return "'\(alias)' of \(name) moved: it holds \(found.map { "version \($0)" } ?? "nothing"), not \(expected.map { "version \($0)" } ?? "nothing") as expected; someone else promoted concurrently, check and retry"
        case .userExists(let name):
            return "the registry already has an active user '\(name)'; revoke it first (quench registry users revoke \(name)) to issue a new token"
        case .invalidUserName(let name):
            return "invalid user name '\(name)': use \(ModelName.rule)"
        case .userNeedsRole(let name):
            return "user '\(name)' needs at least one role: --role \(RegistryRole.allCases.map(\.rawValue).joined(separator: " | --role "))"
        case .proofRangeInvalid(let first, let second, let size):
            return "no consistency proof from tree size \(first) to \(second): the log has \(size) entries, and 0 <= first <= second <= \(size) is needed"
        case .userNotFound(let name):
            return "the registry has no user '\(name)'; see quench registry users list"
        case .uploadedGateFileUnknown(let path, let role, let sha256):
            return "the gate report names \(role) \(path) (sha256 \(sha256)), which is neither an uploaded artifact nor a file of the lineage; the registry cannot check it"
        case .invalidName(let name):
            return "invalid model name '\(name)': use \(ModelName.rule)"
        case .versionNotFound(let subject):
            return "no model version \(subject) in the registry; see `quench registry list`"
        case .invalidTransition(let subject, let action, let from, let allowed):
            return "cannot \(action) \(subject): it is \(from), and \(action) needs \(allowed.joined(separator: " or "))"
        case .flaggedForReview(let subject, let reason):
            return "\(subject) is flagged for review (\(reason)) and cannot be promoted"
        case .gateReportUnreadable(let path, let reason):
            return "cannot read the gate report \(path): \(reason)"
        case .gateReportInvalid(let path, let reason):
            return "the gate report \(path) is not a quench.gate/v1 report: \(reason)"
        case .gateFailed(let path, let reason):
            return "the gate report \(path) did not pass (\(reason)); only a model that passed its quality gate can be registered"
        case .gateFileChanged(let path, let expected, let found):
            return "\(path) changed since the gate evaluated it: sha256 \(found), the gate report says \(expected); re-run the evaluation"
        case .gateFileUnreadable(let path, let role, let reason):
            return "cannot re-hash \(role) \(path), which the gate report names: \(reason); register where the gate ran, or re-run the evaluation"
        case .artifactNotEvaluated(let file, let sha256):
            return "artifact \(file) (sha256 \(sha256)) is weights the gate did not evaluate; register the files the gate names as tuned_model/adapter"
        case .evaluatedArtifactMissing(let role, let path, let sha256):
            return "the gate evaluated \(role) \(path) (sha256 \(sha256)) but no registered artifact has that content"
        case .artifactsUnreadable(let path, let reason):
            return "cannot read artifacts at \(path): \(reason)"
        case .artifactTampered(let subject, let file, let reason):
            return "\(subject) failed verification: \(file) \(reason)"
        case .signatureInvalid(let directory, let reason):
            return "the signature of \(directory) does not verify: \(reason)"
        case .signingKeyMissing(let path):
            return "no signing key at \(path); create one with `quench keygen` or set signing_key in the registry config"
        case .signingKeyInsecure(let path, let mode):
            return "the signing key \(path) has mode \(mode); it must be readable by its owner only: chmod 600 \(path)"
        case .signingKeyInvalid(let path, let reason):
            return "the signing key \(path) cannot be used: \(reason)"
        case .aliasHasNoHistory(let name, let alias):
            return "\(name) has no earlier holder of '\(alias)' to roll back to"
        case .aliasHeld(let subject, let alias):
            return "\(subject) holds the alias '\(alias)'; promote another version or roll back first"
        case .storeFailure(let operation, let reason):
            return "registry store failed to \(operation): \(reason)"
        case .storeCorrupt(let path, let table, let column, let reason):
            return "the registry database \(path) is damaged: table \(table), column \(column): \(reason); "
                + "restore it from a backup (`quench audit verify` checks the log)"
        case .checkpointWriteFailed(let path, let reason):
            return "cannot write the audit checkpoint to \(path): \(reason)"
        case .checkpointInvalid(let path, let line, let reason):
            return "audit checkpoint \(path):\(line) is invalid: \(reason)"
        case .bomUnwritable(let path, let reason):
            return "cannot write the BOM to \(path): \(reason)"
        case .trainingCurveInvalid(let point, let step, let reason):
            return "the lineage's training_curve is refused at point \(point) (step \(step)): \(reason); "
                + "a curve needs finite losses at increasing steps, as metrics.jsonl records them"
        case .trainingCurveTooLong(let points, let limit):
            return "the lineage's training_curve has \(points) points, more than the \(limit) the registry keeps; record every n-th step"
        }
    }
}
