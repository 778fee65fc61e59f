/// Floating-point numbers as the shortest text that reads back to the same value.
package enum FloatText {
    /// `Infinity`, `-Infinity`, `NaN`, or Swift's shortest round-trip form.
    package static func render(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return value.description
    }
}
