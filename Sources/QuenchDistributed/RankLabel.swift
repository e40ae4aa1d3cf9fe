/// What starts a rank's log lines when several ranks print to one log, so each line says who wrote it.
public enum RankLabel {
    /// "[rank r/N] " for rank `rank` of `size` ranks, "[rank r] " when the number is not known yet,
    /// and nothing for a process alone.
    public static func text(rank: Int, size: Int?) -> String {
        guard let size else { return "[rank \(rank)] " }
        return size > 1 ? "[rank \(rank)/\(size)] " : ""
    }
}
