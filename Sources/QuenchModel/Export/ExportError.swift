/// Errors writing a model out.
public enum ExportError: Error, Equatable, CustomStringConvertible {
    case destinationExists(path: String)
    case writeFailed(path: String, reason: String)
    /// A finite weight the chosen `--dtype` would store as infinity.
    case outOfRange(tensor: String, index: Int, value: Float, dtype: String)

    public var description: String {
        switch self {
        case .destinationExists(let path):
            return "\(path) already exists; choose a new --out or remove it first"
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .outOfRange(let tensor, let index, let value, let dtype):
            return "tensor \(tensor) holds \(value) at index \(index), beyond the range of \(dtype); "
                + "choose --dtype f32 (or bf16, whose range is float32's)"
        }
    }
}
