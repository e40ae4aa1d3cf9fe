/// Reads Slurm's answers (`squeue`, `scontrol show job -o`, `sacct -P`) into a `JobStatus`.
public enum SlurmState {
    /// Slurm's state name (`CANCELLED by 0` reads as `CANCELLED`) in Quench's words.
    public static func state(_ raw: String) -> JobState {
        let word = raw.split(separator: " ").first.map(String.init)?.uppercased() ?? ""
        switch word {
        case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "SUSPENDED":
            return .queued
        case "RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING":
            return .running
        case "COMPLETED": return .succeeded
        case "FAILED", "BOOT_FAIL", "NODE_FAIL", "SPECIAL_EXIT", "REVOKED": return .failed
        case "CANCELLED": return .cancelled
        case "TIMEOUT", "DEADLINE": return .timedOut
        case "OUT_OF_MEMORY": return .outOfMemory
        case "PREEMPTED": return .preempted
        default: return .unknown
        }
    }

    /// The exit code of Slurm's `exit:signal` pair, or nil.
    static func exitCode(_ pair: String) -> Int32? {
        pair.split(separator: ":").first.flatMap { Int32($0) }
    }

    /// The status from the tagged lines the status script prints: `scontrol …` wins (it carries the
    /// exit code and reason), then `sacct STATE|EXIT`, then `squeue STATE|REASON`, then a recorded
    /// `exit N` when Slurm has forgotten the job.
    public static func interpret(_ answer: String) -> JobStatus {
        let lines = answer.split(separator: "\n").map(String.init)
        func tagged(_ tag: String) -> String? {
            lines.first { $0.hasPrefix(tag + " ") }.map { String($0.dropFirst(tag.count + 1)) }
        }
        if let line = tagged("scontrol") {
            let fields = keyValues(line)
            if let raw = fields["JobState"] {
                let reason = fields["Reason"].flatMap { $0 == "None" ? nil : $0 }
                return JobStatus(state: state(raw), rawState: raw, exitCode: fields["ExitCode"].flatMap(exitCode), detail: reason)
            }
        }
        if let line = tagged("sacct") {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if let raw = parts.first, !raw.isEmpty {
                return JobStatus(state: state(raw), rawState: raw, exitCode: parts.count > 1 ? exitCode(parts[1]) : nil)
            }
        }
        if let line = tagged("squeue") {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if let raw = parts.first, !raw.isEmpty {
                let reason = parts.count > 1 && parts[1] != "None" ? parts[1] : nil
                return JobStatus(state: state(raw), rawState: raw, detail: reason)
            }
        }
        if let line = tagged("exit"), let code = Int32(line.trimmingCharacters(in: .whitespaces)) {
            return JobStatus(state: code == 0 ? .succeeded : .failed, rawState: "exited \(code)", exitCode: code,
                             detail: "Slurm no longer knows the job; state read from its recorded exit code")
        }
        return JobStatus(state: .unknown, rawState: "not found",
                         detail: "neither squeue, scontrol nor sacct knows the job (no accounting database?)")
    }

    /// `Key=Value` fields of a one-line `scontrol show job -o` answer (values end at the next space).
    static func keyValues(_ line: String) -> [String: String] {
        var result: [String: String] = [:]
        for field in line.split(separator: " ") {
            guard let equals = field.firstIndex(of: "=") else { continue }
            let key = String(field[..<equals])
            if result[key] == nil { result[key] = String(field[field.index(after: equals)...]) }
        }
        return result
    }
}
