import Foundation
import QuenchGate
import QuenchModel
import QuenchTensor

/// One evaluation: a base model on some sets, optionally against a tuned model on the same tokens.
public struct EvalRequest: Sendable, Equatable {
    public var base: URL
    public var tuned: TunedModel?
    public var sets: [EvalSetSource]
    public var options: EvalOptions

    /// A request; see the properties.
    public init(base: URL, tuned: TunedModel? = nil, sets: [EvalSetSource], options: EvalOptions = EvalOptions()) {
        self.base = base
        self.tuned = tuned
        self.sets = sets
        self.options = options
    }
}

/// What `quench eval` prints: the models, the windowing, and each set's results.
public struct EvalReport: Codable, Sendable, Equatable {
    public let model: String
    public let tuned: String?
    public let tunedKind: TunedModelKind?
    public let windowing: String
    public let context: Int
    /// The precision the models' matrix products ran in.
    public let precision: Precision
    public let sets: [SetComparison]
    /// The files the base model was read from, and the tuned model's (adapter or model files).
    public let modelFiles: [String]
    public let tunedFiles: [String]?

    enum CodingKeys: String, CodingKey {
        case model, tuned, windowing, context, precision, sets
        case tunedKind = "tuned_kind", modelFiles = "model_files", tunedFiles = "tuned_files"
    }

    /// Lines for people: per set, the base result, the tuned one and the change.
    public func rendered() -> String {
        var lines = ["model \(model)" + (tuned.map { ", tuned \(tunedKind?.rawValue ?? "") \($0)" } ?? ""),
                     "windowing \(windowing), context \(context), precision \(precision)"]
        for set in sets {
            lines.append("\(set.name):")
            lines.append("  base   \(set.base.summary)")
            if let tuned = set.tuned, let change = set.lossChange, let relative = set.relativeLossChange {
                lines.append("  tuned  \(tuned.summary)")
                lines.append(String(format: "  change loss %+.4f (%+.2f%%), perplexity %+.4f", change, relative * 100,
                                    set.perplexityChange ?? 0))
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Evaluates models on sets: one model on one set, or a base and its tuned model on many.
public enum ModelEvaluation {
    /// Opens the base model, tokenizes the sets once with its tokenizer, evaluates the base, then
    /// the tuned model (adapters applied in memory, or a second model) on the same tokens.
    /// With `check`, every model and adapter file is read from bytes it accepted (see `FileCheck`).
    /// - Throws: `EvalError` (missing files, empty sets, bad settings, mismatched vocabularies, a
    ///   precision this CPU cannot compute in), `DatasetError` for bad JSONL, the model loader's errors,
    ///   or the check's.
    public static func run(_ request: EvalRequest, verifying check: FileCheck? = nil,
                           progress: (String) -> Void = { _ in }) throws -> EvalReport {
        for set in request.sets { try set.check() }
        try request.tuned?.check()
        try request.options.windowing.validate(context: request.options.context)
        try request.options.requirePrecisionSupport()
        let base = try reading(check) { try ModelBundle.open(request.base) }
        try base.model.setPrecision(request.options.precision)
        let sets = try tokenize(request.sets, bundle: base, options: request.options)
        let measured = try sets.map { set in
            progress("base model on \(set.name)")
            return MeasuredSet(set: set, base: try Evaluator.evaluate(model: base.model, set: set, options: request.options))
        }
        var comparisons = measured.map { $0.comparison(tuned: nil) }
        var tunedFiles: [URL]?
        if let tuned = request.tuned {
            (comparisons, tunedFiles) = try evaluateTuned(tuned, base: base, measured: measured, options: request.options,
                                                          check: check, progress: progress)
        }
        return EvalReport(model: base.location.standardizedFileURL.path, tuned: request.tuned?.url.standardizedFileURL.path,
                          tunedKind: request.tuned?.kind, windowing: request.options.windowing.description,
                          context: request.options.context, precision: request.options.precision, sets: comparisons,
                          modelFiles: base.files.map(\.standardizedFileURL.path),
                          tunedFiles: tunedFiles?.map(\.standardizedFileURL.path))
    }

    /// One model (a base plus optional PEFT adapter) on one set.
    public static func evaluate(model: URL, adapter: URL? = nil, set: EvalSetSource,
                                options: EvalOptions = EvalOptions()) throws -> EvalResult {
        let report = try run(EvalRequest(base: model, tuned: adapter.map(TunedModel.adapter), sets: [set], options: options))
        guard let result = report.sets.first else { throw EvalError.emptySet(file: set.file.path, reason: "no result") }
        return result.tuned ?? result.base
    }

    /// Tokenizes every set with the base model's tokenizer, and checks each one leaves scored
    /// windows before any model runs.
    static func tokenize(_ sources: [EvalSetSource], bundle: ModelBundle, options: EvalOptions) throws -> [TokenizedEvalSet] {
        guard let tokenizer = bundle.tokenizer else { throw EvalError.noTokenizer(model: bundle.location.path) }
        let addBOS = try BOSPolicy.addsBOS(bundle)
        return try sources.map { source in
            let set = try source.load(tokenizer: tokenizer, chatTemplate: bundle.chatTemplate, addBOS: addBOS)
            _ = try Evaluator.plan(set: set, options: options, maxPositions: bundle.model.config.maxPositions)
            return set
        }
    }

    /// A set with the base model's result on it.
    private struct MeasuredSet {
        let set: TokenizedEvalSet
        let base: EvalResult

        /// The set's comparison of `tuned` (nil without a tuned model) against the base.
        func comparison(tuned: EvalResult?) -> SetComparison {
            SetComparison(name: set.name, path: set.file.standardizedFileURL.path, base: base, tuned: tuned)
        }
    }

    /// Each measured set's comparison with the tuned model's result on it, and the tuned model's files.
    private static func evaluateTuned(_ tuned: TunedModel, base: ModelBundle, measured: [MeasuredSet], options: EvalOptions,
                                      check: FileCheck?, progress: (String) -> Void) throws -> ([SetComparison], [URL]) {
        let model: CausalLM, files: [URL]
        switch tuned {
        case .adapter(let directory):
            model = base.model
            model.adapters = try reading(check) { try PEFTAdapterFormat.read(from: directory, model: model) }
            files = TunedModel.adapterFiles(directory)
        case .model(let location):
            let bundle = try reading(check) { try ModelBundle.open(location) }
            (model, files) = (bundle.model, bundle.files)
            try model.setPrecision(options.precision)
            guard model.config.vocabularySize == base.model.config.vocabularySize else {
                throw EvalError.vocabularyMismatch(base: base.model.config.vocabularySize,
                                                   tuned: model.config.vocabularySize, tunedModel: location.path)
            }
        }
        defer { if case .adapter = tuned { model.adapters = nil } }
        let comparisons = try measured.map { entry in
            progress("tuned \(tuned.kind.rawValue) on \(entry.set.name)")
            return entry.comparison(tuned: try Evaluator.evaluate(model: model, set: entry.set, options: options))
        }
        return (comparisons, files)
    }

    /// `body`, its model files checked by `check` when there is one.
    private static func reading<R>(_ check: FileCheck?, _ body: () throws -> R) throws -> R {
        guard let check else { return try body() }
        return try check.reading(body)
    }
}

extension EvalReport {
    /// Reads a report; one written before Quench recorded precisions ran in fp32.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(model: try container.decode(String.self, forKey: .model),
                  tuned: try container.decodeIfPresent(String.self, forKey: .tuned),
                  tunedKind: try container.decodeIfPresent(TunedModelKind.self, forKey: .tunedKind),
                  windowing: try container.decode(String.self, forKey: .windowing),
                  context: try container.decode(Int.self, forKey: .context),
                  precision: try container.decodeIfPresent(Precision.self, forKey: .precision) ?? .fp32,
                  sets: try container.decode([SetComparison].self, forKey: .sets),
                  modelFiles: try container.decode([String].self, forKey: .modelFiles),
                  tunedFiles: try container.decodeIfPresent([String].self, forKey: .tunedFiles))
    }
}
