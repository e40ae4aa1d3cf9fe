import Foundation
import QuenchData

/// Where a generative evaluation set comes from: a `.jsonl` file of chat records (the prompt is every
/// turn before the last assistant turn, which is the reference) or prompt/completion records (the
/// completion is the reference), and how it is generated and scored.
public struct GenerativeSetSource: Sendable, Equatable {
    /// The name reports use (a gate's set name, or the file's name).
    public var name: String
    public var file: URL
    /// `chat` or `prompt_completion`; nil detects it from the first record.
    public var format: DatasetFormat?
    public var settings: GenerationSettings

    /// A source; `name` defaults to the file's name.
    public init(file: URL, format: DatasetFormat? = nil, name: String? = nil, settings: GenerationSettings) {
        self.file = file
        self.format = format
        self.name = name ?? file.lastPathComponent
        self.settings = settings
    }
}
