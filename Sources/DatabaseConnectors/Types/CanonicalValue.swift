import Foundation

/// One column value in its engine-neutral, exact form.
///
/// Exactness rules: decimals are digit strings (never a Double); temporal values are ISO 8601 text to
/// the microsecond, with the offset where the type has one; binary and spatial values are bytes.
package enum CanonicalValue: Sendable, Hashable {
    case null
    case boolean(Bool)
    case integer(Int64)
    /// Exact decimal digits, e.g. `-12.3400` (trailing zeros kept: they carry the scale).
    case decimal(String)
    case float(Double)
    case text(String)
    case binary([UInt8])
    case uuid(UUID)
    /// `YYYY-MM-DD`.
    case date(String)
    /// `HH:MM:SS[.ffffff][+HH:MM]`.
    case time(String)
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` (no zone).
    case timestamp(String)
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]+HH:MM` (an instant with its offset).
    case timestampWithZone(String)
    /// ISO 8601 duration, e.g. `P1Y2M3DT4H5M6.5S`.
    case interval(String)
    /// JSON document text.
    case json(String)
    case xml(String)
    /// (E)WKB bytes of a spatial value.
    case geometry([UInt8])
    case array([CanonicalValue])

    /// Whether this is SQL NULL.
    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension CanonicalValue {
    /// Exact equality: floats compare by bit pattern, so NaN equals NaN and 0.0 differs from -0.0.
    package static func == (lhs: CanonicalValue, rhs: CanonicalValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.boolean(a), .boolean(b)): a == b
        case let (.integer(a), .integer(b)): a == b
        case let (.float(a), .float(b)): a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        case let (.binary(a), .binary(b)), let (.geometry(a), .geometry(b)): a == b
        case let (.uuid(a), .uuid(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.decimal(a), .decimal(b)), let (.text(a), .text(b)), let (.date(a), .date(b)), let (.time(a), .time(b)),
            let (.timestamp(a), .timestamp(b)), let (.timestampWithZone(a), .timestampWithZone(b)),
            let (.interval(a), .interval(b)), let (.json(a), .json(b)), let (.xml(a), .xml(b)):
            a == b
        default: false
        }
    }

    package func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case let .boolean(value): hasher.combine(value)
        case let .integer(value): hasher.combine(value)
        case let .float(value): hasher.combine(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
        case let .binary(bytes), let .geometry(bytes): hasher.combine(bytes)
        case let .uuid(value): hasher.combine(value)
        case let .array(values): hasher.combine(values)
        case let .decimal(text), let .text(text), let .date(text), let .time(text), let .timestamp(text),
            let .timestampWithZone(text), let .interval(text), let .json(text), let .xml(text):
            hasher.combine(text)
        }
    }
}

/// One row: values in the order of a column list.
package struct Row: Sendable, Hashable {
    package var values: [CanonicalValue]

    /// Creates a row.
    package init(_ values: [CanonicalValue]) {
        self.values = values
    }
}
