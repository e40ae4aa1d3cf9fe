import ArgumentParser
import Foundation
import QuenchJobs

/// `quench run`: one job spec from the base model to a registered, signed model version.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a job spec: fetch, verify, data checks, train, evaluate, gate, sign, register, report.",
        discussion: """
            A job spec (apiVersion: quench/v1, documented in jobs/README.md) names the base model and its pins, the \
            data, the training settings, the gate, the compute backend and the registry entry. The spec is \
            checked before any work: every problem is listed with file, line and key.

            Each run gets its own folder, runs/<job>-<UTC time>/, with state.json after every stage, the stage \
            outputs, the training checkpoints, gate.json, and report.json, report.md and report.html. After a \
            crash, kill or Ctrl-C, `--resume RUN_DIR` continues from the last finished stage (training from its \
            newest checkpoint, remote training by following its job while it runs); stages whose inputs did not \
            change are not run again.

            With `compute: {backend: NAME}` the training goes to that backend of configs/compute.yaml (a detached \
            process on this machine, an SSH host or a Slurm cluster) as a bundle with a sha256 manifest; the remote log is streamed, the \
            results are kept only when every file matches the returned manifest, and evaluation and the gate \
            run here on them. Ctrl-C cancels the remote job (a resumed run then trains anew); --resume follows a \
            job that is still running.

            Exit codes: 0 the model passed its gate (and was registered when the spec asks), 3 the gate rejected \
            it (the report says why), 2 the spec is invalid or a stage failed, 130 interrupted.

            Examples:
              quench run jobs/smollm2-135m_lora_quickstart.yaml
              quench run --resume runs/smollm2-135m_lora_quickstart-20261121T101500Z
              quench run jobs/tiny.yaml --json | jq .status
            """)

    @Argument(help: ArgumentHelp("The job spec (YAML).", valueName: "spec"))
    var spec: String?

    @Option(help: ArgumentHelp("Continue the run in this folder.", valueName: "run-dir"))
    var resume: String?

    @Option(help: ArgumentHelp("Where new run folders go.", valueName: "dir"))
    var runs = "runs"

    @Flag(help: "Print the outcome as JSON on standard output (progress stays on standard error).")
    var json = false

    func validate() throws {
        if (spec == nil) == (resume == nil) { throw ValidationError("give a job spec or --resume RUN_DIR (one of them)") }
    }

    func run() throws {
        let events = RunProgressPrinter.events
        let runner: JobRunner
        do {
            if let resume {
                runner = try JobRunner.resume(directory: URL(fileURLWithPath: resume), quenchVersion: QuenchVersion.current,
                                              events: events)
            } else {
                let job = try JobSpec.load(contentsOf: URL(fileURLWithPath: spec ?? ""))
                runner = try JobRunner.start(spec: job, runsRoot: URL(fileURLWithPath: runs),
                                             quenchVersion: QuenchVersion.current, events: events)
            }
        } catch {
            progress("error: \(Scrub.text("\(error)"))")
            throw ExitCode(2)
        }
        InterruptHandler.install(runDirectory: runner.directory.path)
        progress("run directory: \(runner.directory.path)")
        do {
            let outcome = try runner.run()
            InterruptHandler.waitIfInterrupted()
            if json { try printJSON(RunOutcomeView(outcome)) } else { RunProgressPrinter.summary(outcome) }
            if outcome.gatePassed == false { throw ExitCode(3) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            InterruptHandler.waitIfInterrupted(after: error)
            progress("error: \(Scrub.text("\(error)"))")
            throw ExitCode(2)
        }
    }
}
