import QuenchGate

extension EvalReport {
    /// The report with every generative set's examples scrubbed of secrets and cut for storing (see
    /// `TaskExample.redacted`): what run folders, reports and `quench eval --json` hold.
    public func redactingExamples(_ scrub: (String) -> String) -> EvalReport {
        EvalReport(model: model, tuned: tuned, tunedKind: tunedKind, windowing: windowing, context: context,
                   precision: precision, sets: sets, tasks: tasks.map { $0.redacted(by: scrub) }, modelFiles: modelFiles,
                   tunedFiles: tunedFiles)
    }
}
