import Foundation
import QuenchTokenizer

extension BPETokenizer {
    /// Reads the Hugging Face tokenizer.json at `url` the way every model file is read (mapped, or
    /// read and checked inside `FileCheck.reading`); see `init(tokenizerJSON:path:bosToken:eosToken:)`.
    /// - Throws: `TokenizerError.unreadableTokenizerJSON` naming the file when it cannot be read.
    public convenience init(tokenizerJSON url: URL, bosToken: String? = nil, eosToken: String? = nil) throws {
        let data: Data
        do {
            data = try MappedFile.contents(of: url.path, limit: MappedFile.jsonLimit)
        } catch {
            throw TokenizerError.unreadableTokenizerJSON(path: url.path, reason: error.reason)
        }
        try self.init(tokenizerJSON: data, path: url.path, bosToken: bosToken, eosToken: eosToken)
    }
}
