/// Errors raised by the tensor engine: every case names the operation and the shapes or sizes involved.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// An operand's shape does not fit the operation.
    case shapeMismatch(operation: String, detail: String)
    /// A buffer is smaller than the extent the operation would touch.
    case bufferTooSmall(operation: String, operand: String, needed: Int, available: Int)
    /// A token id or position lies outside the table it indexes.
    case indexOutOfRange(operation: String, index: Int, position: Int, limit: Int)
    /// A `TensorBlock` was asked for a name it does not hold, or given one twice.
    case unknownTensor(name: String)
    case duplicateTensor(name: String)
    /// A size computation overflowed `Int`.
    case sizeOverflow(shape: [Int])
    /// An argument has an impossible value (for example a non-positive dimension).
    case invalidArgument(operation: String, detail: String)
    /// A precision this machine cannot compute in (bf16 without AVX512_BF16 or AMX-BF16).
    case precisionUnavailable(precision: String, detail: String)
    /// oneDNN refused or failed a call; `status` is its dnnl_status_t name.
    case oneDNNFailed(operation: String, status: String)

    public var description: String {
        switch self {
        case .shapeMismatch(let operation, let detail):
            return "\(operation): shape mismatch: \(detail)"
        case .bufferTooSmall(let operation, let operand, let needed, let available):
            return "\(operation): operand \(operand) needs \(needed) floats but its buffer holds \(available)"
        case .indexOutOfRange(let operation, let index, let position, let limit):
            return "\(operation): index \(index) at position \(position) is outside 0..<\(limit)"
        case .unknownTensor(let name):
            return "no tensor named '\(name)' in this block"
        case .duplicateTensor(let name):
            return "tensor '\(name)' is listed twice in the block layout"
        case .sizeOverflow(let shape):
            return "the element count of shape \(shape) overflows"
        case .invalidArgument(let operation, let detail):
            return "\(operation): \(detail)"
        case .precisionUnavailable(let precision, let detail):
            return "precision \(precision) is not available: \(detail)"
        case .oneDNNFailed(let operation, let status):
            return "\(operation): oneDNN returned \(status)"
        }
    }
}

/// Formats a shape as `(2, 16, 64)` for error messages.
func describe(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
