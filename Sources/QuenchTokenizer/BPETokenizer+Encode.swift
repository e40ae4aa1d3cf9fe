/// Token ids together with the UTF-8 byte range of the input each one covers.
public struct EncodedText: Sendable, Equatable {
    /// The token ids.
    public var ids: [Int]
    /// For each id, the bytes of `text.utf8` it stands for (an empty range for an added BOS).
    public var utf8Ranges: [Range<Int>]
}

extension BPETokenizer {
    /// Encodes text: special and added tokens written in it (e.g. "<|im_start|>") become single ids,
    /// the rest is pre-tokenized, byte-mapped and merged. Bytes the vocabulary has no token for
    /// are dropped, as llama.cpp (and Hugging Face without an unk token) do.
    /// - Throws: `TokenizerError.noBOSToken` when `addBOS` is set and the tokenizer has no BOS token.
    public func encode(_ text: String, addBOS: Bool = false) throws -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3 + 1)
        try encode(text, addBOS: addBOS) { id, _ in ids.append(id) }
        return ids
    }

    /// Encodes text and reports which bytes each token covers, so spans of the text (such as the
    /// assistant turns of a chat) can be mapped to tokens.
    public func encodeWithOffsets(_ text: String, addBOS: Bool = false) throws -> EncodedText {
        var result = EncodedText(ids: [], utf8Ranges: [])
        try encode(text, addBOS: addBOS) { id, range in
            result.ids.append(id)
            result.utf8Ranges.append(range)
        }
        return result
    }

    /// The encoding loop: `emit` receives each id and the byte range of `text.utf8` it covers.
    func encode(_ text: String, addBOS: Bool, emit: (Int, Range<Int>) -> Void) throws {
        if addBOS {
            guard let bosTokenID else { throw TokenizerError.noBOSToken }
            emit(bosTokenID, 0..<0)
        }
        let utf8 = Array(text.utf8)
        var session = EncodingSession()
        utf8.withUnsafeBufferPointer { bytes in
            var segmentStart = 0
            var position = 0
            while position < bytes.count {
                guard let special = specialTokens.match(in: bytes, at: position) else {
                    position += 1
                    continue
                }
                if segmentStart < position {
                    encodeSegment(bytes, segmentStart..<position, session: &session, emit: emit)
                }
                emit(special.id, position..<(position + special.length))
                position += special.length
                segmentStart = position
            }
            if segmentStart < bytes.count {
                encodeSegment(bytes, segmentStart..<bytes.count, session: &session, emit: emit)
            }
        }
    }

    /// Encodes a stretch of text holding no special token (it starts and ends on scalar boundaries).
    private func encodeSegment(
        _ bytes: UnsafeBufferPointer<UInt8>, _ segment: Range<Int>, session: inout EncodingSession,
        emit: (Int, Range<Int>) -> Void
    ) {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[segment]), as: UTF8.self)
        let scalars = Array(text.unicodeScalars)
        // byteOffsets[i]: where scalar i starts, relative to the segment.
        var byteOffsets: [Int] = []
        byteOffsets.reserveCapacity(scalars.count + 1)
        var offset = 0
        for scalar in scalars {
            byteOffsets.append(offset)
            offset += UTF8.width(scalar)
        }
        byteOffsets.append(offset)
        preTokenizer.forEachPiece(in: scalars) { piece in
            let start = segment.lowerBound + byteOffsets[piece.lowerBound]
            let end = segment.lowerBound + byteOffsets[piece.upperBound]
            let pieceBytes = UnsafeBufferPointer(rebasing: bytes[start..<end])
            var position = start
            for id in session.ids(for: pieceBytes, tokenizer: self) {
                guard id >= 0 else {  // a byte the vocabulary cannot spell: dropped, like llama.cpp does
                    position += 1
                    continue
                }
                let length = tokenBytes[Int(id)].count
                emit(Int(id), position..<(position + length))
                position += length
            }
        }
    }

    /// The ids of one piece, without the cache; -1 marks a dropped byte.
    func mergePiece(_ piece: UnsafeBufferPointer<UInt8>, merger: inout BytePairMerger, into output: inout [Int32]) {
        if ignoresMerges, let id = idForToken[ByteLevel.tokenText(for: piece)] {
            output.append(Int32(id))
            return
        }
        merger.merge(piece, idForByte: idForByte, rules: merges, into: &output)
    }
}

/// State for one `encode` call: reusable merge buffers and a piece → ids cache. Kept per call so
/// the tokenizer itself stays immutable and freely shareable across threads.
struct EncodingSession {
    private var merger = BytePairMerger()
    private var cache: [[UInt8]: [Int32]] = [:]
    private static let cacheLimit = 65_536

    mutating func ids(for piece: UnsafeBufferPointer<UInt8>, tokenizer: BPETokenizer) -> [Int32] {
        let key = Array(piece)
        if let cached = cache[key] { return cached }
        var ids: [Int32] = []
        tokenizer.mergePiece(piece, merger: &merger, into: &ids)
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[key] = ids
        return ids
    }
}
