/// A value the network layer cannot use, with the field it came from.
package struct NetworkError: Error, Equatable, CustomStringConvertible {
    /// A stable machine-readable code (`invalid_cidr`, `invalid_key`, `pool_exhausted`, …).
    package let code: String
    package let message: String

    package init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code): \(message)" }
}
