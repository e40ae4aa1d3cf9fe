/// How examples become fixed-length training rows.
///
/// Every example of n tokens gives n − 1 (input, target) pairs: input token i predicts token i + 1,
/// and the example's last token is only ever a target. So no position predicts across an example
/// boundary, which is the same loss as concatenating examples and masking the boundary target
/// (-100), without spending a row slot on the unscored last token.
public enum SequencePolicy: String, Sendable, Codable, CaseIterable {
    /// One example per row, cut to `max_seq_len + 1` tokens (the tail is dropped, as supervised
    /// fine-tuning trainers do); short rows are padded with unscored positions.
    case truncate
    /// Examples laid back to back in rows of `max_seq_len` (next-fit, file order), each with its
    /// own segment id and positions restarting at 0, so attention and positions behave as if
    /// each example were alone. An example longer than a row is split into row-sized pieces
    /// rather than cut, so no token is lost (as pre-training pipelines chunk long documents);
    /// each piece restarts its positions at 0 and sees only itself. Use `truncate` to drop
    /// the tail instead.
    case pack
}
