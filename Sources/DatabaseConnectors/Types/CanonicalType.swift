/// The engine-neutral type every column maps to and from. One map drives cloud-table creation, sync
/// values, auto-API JSON and OpenAPI schemas.
package indirect enum CanonicalType: Sendable, Hashable, Codable {
    /// Signed integer of 16, 32 or 64 bits (8 for SQL Server's unsigned tinyint, widened on the way).
    case integer(bits: Int)
    /// Exact decimal; nil precision means unconstrained (PostgreSQL `numeric`).
    case decimal(precision: Int?, scale: Int?)
    /// Currency amount: exact, with four decimals (PostgreSQL money has two, read through numeric).
    case money
    /// IEEE floating point of 32 or 64 bits.
    case float(bits: Int)
    case boolean
    /// Character data; nil length means unbounded; `fixed` for char(n).
    case text(length: Int?, fixed: Bool, collation: String?)
    /// Bytes; nil length means unbounded.
    case binary(length: Int?, fixed: Bool)
    case uuid
    case date
    /// Time of day with fractional-second precision (0...7), optionally with a zone offset.
    case time(precision: Int, withZone: Bool)
    /// Date and time with fractional-second precision (0...7), with or without zone.
    case timestamp(precision: Int, withZone: Bool)
    case interval
    /// JSON text; `binary` for PostgreSQL jsonb (normalized on the way in).
    case json(binary: Bool)
    case xml
    /// Spatial value carried as (E)WKB; `geography` for round-earth types.
    case geometry(geography: Bool)
    /// An array of another type.
    case array(of: CanonicalType)
    /// A value from a fixed set of labels.
    case enumeration(name: String, labels: [String])
    /// inet, cidr or macaddr, carried as text.
    case networkAddress(kind: String)
    /// A range type (PostgreSQL), carried as its text literal.
    case range(of: String)
    /// SQL Server hierarchyid, carried as its string path (e.g. `/1/2/`).
    case hierarchyID
    /// SQL Server rowversion: an 8-byte counter, read-only.
    case rowVersion
    /// Full-text document (tsvector), carried as text.
    case textSearch
    /// A type this map does not know: carried as text and reported, never dropped.
    case unknown(native: String)

    /// Whether values of this type are exchanged as text that must not be reinterpreted.
    package var isUnknown: Bool {
        if case .unknown = self { return true }
        return false
    }
}
