import Foundation

/// SQLite declared types to canonical types and back (pure).
///
/// SQLite keeps values by storage class, not declared type. Tables Berqenas creates record each column's
/// canonical type in `_berqenas_columns`, and declare types whose affinity keeps values exact (decimals
/// and timestamps as TEXT, never NUMERIC, which would turn `1.50` into a float). Foreign tables are read
/// by their declared types, following SQLite's affinity rules.
package enum SQLiteTypeMap {
    /// The canonical type of a declared column type of a table Berqenas did not create.
    package static func canonical(declared: String) -> CanonicalType {
        let upper = declared.uppercased()
        let (name, modifiers) = TypeSpelling.split(upper)
        switch name {
        case "BOOLEAN", "BOOL": return .boolean
        case "DATE": return .date
        case "DATETIME", "TIMESTAMP": return .timestamp(precision: 6, withZone: false)
        case "TIMESTAMPTZ": return .timestamp(precision: 6, withZone: true)
        case "TIME": return .time(precision: 6, withZone: false)
        case "UUID", "GUID", "UNIQUEIDENTIFIER": return .uuid
        case "JSON", "JSONB": return .json(binary: false)
        case "DECIMAL", "NUMERIC", "MONEY":
            return .decimal(precision: modifiers.first, scale: modifiers.count > 1 ? modifiers[1] : nil)
        default: break
        }
        // SQLite's affinity rules, in SQLite's order.
        if upper.contains("INT") { return .integer(bits: 64) }
        if upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT") {
            return .text(length: modifiers.first, fixed: false, collation: nil)
        }
        if upper.isEmpty || upper.contains("BLOB") { return upper.isEmpty ? .unknown(native: "") : .binary(length: nil, fixed: false) }
        if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") { return .float(bits: 64) }
        return .unknown(native: declared)
    }

    /// The declared type Berqenas gives a column of `type` (chosen for its affinity).
    package static func declaredType(for type: CanonicalType) -> String {
        switch type {
        case .integer, .boolean: "INTEGER"
        case .float: "REAL"
        case .binary, .geometry, .rowVersion: "BLOB"
        default: "TEXT"
        }
    }
}
