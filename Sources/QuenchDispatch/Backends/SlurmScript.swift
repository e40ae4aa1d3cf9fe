/// Writes the batch script `sbatch` receives: `#SBATCH` lines from the resources, then
/// `quench train --bundle` (one process, or one rank per task through `MPILauncher`), recording the
/// exit code beside the log.
public enum SlurmScript {
    /// The script for the job `id` whose bundle is at `directory` on the cluster's shared file system.
    ///
    /// `#SBATCH` lines are not shell-quoted by Slurm, so every value must be a plain word; anything else
    /// is refused with the key named.
    public static func render(id: String, directory: String, quench: String, resources: SlurmResources) throws -> String {
        var lines = ["#!/bin/sh", "#SBATCH --job-name=quench-\(try word(id, key: "job id"))"]
        lines.append("#SBATCH --output=\(try word(directory, key: "work_directory"))/control/slurm.out")
        if let partition = resources.partition { lines.append("#SBATCH --partition=\(try word(partition, key: "partition"))") }
        if let time = resources.timeLimit {
            guard isTimeLimit(time) else {
                throw DispatchError.invalidComputeConfig(
                    file: "slurm", key: "time_limit",
                    reason: "'\(time)' is not a Slurm time (minutes, HH:MM:SS, D-HH:MM:SS)")
            }
            lines.append("#SBATCH --time=\(time)")
        }
        let tasks = try resources.tasks()
        if let nodes = resources.nodes { lines.append("#SBATCH --nodes=\(nodes)") }
        if resources.tasksPerNode != nil || tasks > 1 { lines.append("#SBATCH --ntasks-per-node=\(resources.tasksPerNode ?? 1)") }
        if let cpus = resources.cpus { lines.append("#SBATCH --cpus-per-task=\(try positive(cpus, key: "cpus"))") }
        if let memory = resources.memory {
            guard isMemory(memory) else {
                throw DispatchError.invalidComputeConfig(file: "slurm", key: "memory",
                                                         reason: "'\(memory)' is not a size like 8G or 16000M")
            }
            lines.append("#SBATCH --mem=\(memory)")
        }
        if let gpus = resources.gpus {
            let type = try resources.gpuType.map { ":" + (try word($0, key: "gpu_type")) } ?? ""
            lines.append("#SBATCH --gres=gpu\(type):\(try positive(gpus, key: "gpus"))")
        }
        if let account = resources.account { lines.append("#SBATCH --account=\(try word(account, key: "account"))") }
        if let qos = resources.qos { lines.append("#SBATCH --qos=\(try word(qos, key: "qos"))") }
        lines.append("# written by quench: trains job \(id) from its bundle, then records the exit code")
        lines.append("d=\(ShellQuote.quote(directory))")
        let launcher = resources.launcher ?? .srun
        if resources.allowRunAsRoot == true, launcher != .mpirun {
            throw DispatchError.invalidComputeConfig(
                file: "slurm", key: "allow_run_as_root",
                reason: "only mpirun refuses to run as root; give it with `launcher: mpirun` (srun needs no such setting)")
        }
        if tasks > 1 {
            lines += launcher.lines(quench: quench, tasks: tasks, cpusPerTask: resources.cpus,
                                    allowRunAsRoot: resources.allowRunAsRoot == true)
        } else {
            lines.append("\(ShellQuote.quote(quench)) train --bundle \"$d\"")
        }
        lines.append("code=$?")
        lines.append("echo \"$code\" > \"$d/control/exit-code.partial\" && mv \"$d/control/exit-code.partial\" \"$d/control/exit-code\"")
        lines.append("exit \"$code\"")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `value` when it is a plain word Slurm reads literally: letters, digits and `._-/:+=,@`.
    static func word(_ value: String, key: String) throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:+=,@")
        guard !value.isEmpty, value.count <= 512, value.allSatisfy(allowed.contains) else {
            throw DispatchError.invalidComputeConfig(
                file: "slurm", key: key,
                reason: "'\(value)' must be a plain word (letters, digits and ._-/:+=,@) for an #SBATCH line")
        }
        return value
    }

    static func positive(_ value: Int, key: String) throws -> Int {
        guard value >= 1 else {
            throw DispatchError.invalidComputeConfig(file: "slurm", key: key, reason: "must be at least 1, found \(value)")
        }
        return value
    }

    /// Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, or UNLIMITED.
    static func isTimeLimit(_ text: String) -> Bool {
        if text == "UNLIMITED" || text == "INFINITE" { return true }
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard dayParts.count <= 2, dayParts.allSatisfy({ !$0.isEmpty }) else { return false }
        if dayParts.count == 2, !dayParts[0].allSatisfy(\.isASCIIDigitCharacter) { return false }
        let clock = dayParts[dayParts.count - 1].split(separator: ":", omittingEmptySubsequences: false)
        return (1...3).contains(clock.count) && clock.allSatisfy { !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isASCIIDigitCharacter) }
    }

    /// A memory size: digits with an optional K, M, G or T.
    static func isMemory(_ text: String) -> Bool {
        var digits = Substring(text)
        if let last = digits.last, "KMGTkmgt".contains(last) { digits = digits.dropLast() }
        return !digits.isEmpty && digits.count <= 12 && digits.allSatisfy(\.isASCIIDigitCharacter)
    }
}

extension Character {
    /// 0-9 only (not other scripts' digits).
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
