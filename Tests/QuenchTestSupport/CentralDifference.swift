/// The numerical derivative of `value` in the element `index` of `values`: (f(w + h) − f(w − h)) / 2h,
/// with w + h and w − h rounded to Float as the model stores them; `values[index]` is restored after.
public func centralDifference(_ value: () throws -> Double, at index: Int,
                              in values: UnsafeMutableBufferPointer<Float>, step: Double = 1e-2) rethrows -> Double {
    let saved = values[index]
    defer { values[index] = saved }
    values[index] = saved + Float(step)
    let plus = try value()
    values[index] = saved - Float(step)
    let minus = try value()
    return (plus - minus) / (2 * step)
}
