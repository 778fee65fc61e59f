/// A value the network layer cannot use, with the field it came from.
public struct NetworkError: Error, Equatable, CustomStringConvertible {
    /// A stable machine-readable code (`invalid_cidr`, `invalid_key`, `pool_exhausted`, …).
    public let code: String
    public let message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
