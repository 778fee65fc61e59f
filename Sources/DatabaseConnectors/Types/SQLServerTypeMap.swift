/// SQL Server types to canonical types and back (pure).
package enum SQLServerTypeMap {
    /// The canonical type of a SQL Server column type.
    /// - Parameters:
    ///   - name: `sys.types` name, e.g. `nvarchar`, `datetime2`.
    ///   - maxLength: `sys.columns.max_length` in bytes (-1 for max).
    ///   - precision: `sys.columns.precision`.
    ///   - scale: `sys.columns.scale`.
    package static func canonical(name: String, maxLength: Int, precision: Int, scale: Int, collation: String? = nil) -> CanonicalType {
        switch name.lowercased() {
        case "bit": return .boolean
        case "tinyint": return .integer(bits: 16)
        case "smallint": return .integer(bits: 16)
        case "int": return .integer(bits: 32)
        case "bigint": return .integer(bits: 64)
        case "decimal", "numeric": return .decimal(precision: precision, scale: scale)
        case "money": return .money
        case "smallmoney": return .decimal(precision: 10, scale: 4)
        case "float": return .float(bits: precision <= 24 ? 32 : 64)
        case "real": return .float(bits: 32)
        case "char": return .text(length: maxLength, fixed: true, collation: collation)
        case "varchar": return .text(length: maxLength < 0 ? nil : maxLength, fixed: false, collation: collation)
        case "nchar": return .text(length: maxLength / 2, fixed: true, collation: collation)
        case "nvarchar": return .text(length: maxLength < 0 ? nil : maxLength / 2, fixed: false, collation: collation)
        case "text", "ntext": return .text(length: nil, fixed: false, collation: collation)
        case "binary": return .binary(length: maxLength, fixed: true)
        case "varbinary": return .binary(length: maxLength < 0 ? nil : maxLength, fixed: false)
        case "image": return .binary(length: nil, fixed: false)
        case "uniqueidentifier": return .uuid
        case "date": return .date
        case "time": return .time(precision: scale, withZone: false)
        case "datetime": return .timestamp(precision: 3, withZone: false)
        case "smalldatetime": return .timestamp(precision: 0, withZone: false)
        case "datetime2": return .timestamp(precision: scale, withZone: false)
        case "datetimeoffset": return .timestamp(precision: scale, withZone: true)
        case "xml": return .xml
        case "json": return .json(binary: false)
        case "geometry": return .geometry(geography: false)
        case "geography": return .geometry(geography: true)
        case "hierarchyid": return .hierarchyID
        case "timestamp", "rowversion": return .rowVersion
        default: return .unknown(native: name)
        }
    }

    /// The SQL Server type to create for a canonical type.
    package static func nativeType(for type: CanonicalType) -> String {
        switch type {
        case let .integer(bits): bits <= 16 ? "smallint" : bits <= 32 ? "int" : "bigint"
        case let .decimal(precision, scale):
            // SQL Server tops out at 38 digits; an unconstrained decimal gets the widest exact type.
            precision.map { "decimal(\(min($0, 38)),\(min(scale ?? 0, min($0, 38))))" } ?? "decimal(38,10)"
        case .money: "money"
        case let .float(bits): bits <= 32 ? "real" : "float"
        case .boolean: "bit"
        case let .text(length, fixed, _):
            if let length, length <= 4000 { fixed ? "nchar(\(length))" : "nvarchar(\(length))" } else { "nvarchar(max)" }
        case let .binary(length, fixed):
            if let length, length <= 8000 { fixed ? "binary(\(length))" : "varbinary(\(length))" } else { "varbinary(max)" }
        case .rowVersion: "binary(8)"
        case .uuid: "uniqueidentifier"
        case .date: "date"
        case let .time(precision, _): "time(\(min(precision, 7)))"
        case let .timestamp(precision, withZone): withZone ? "datetimeoffset(\(min(precision, 7)))" : "datetime2(\(min(precision, 7)))"
        case .xml: "xml"
        case let .geometry(geography): geography ? "geography" : "geometry"
        case .hierarchyID: "hierarchyid"
        case .json, .array, .interval, .enumeration, .networkAddress, .range, .textSearch, .unknown: "nvarchar(max)"
        }
    }

    /// The expression that reads a column as exact text (ISO dates, hex binary, WKB hex for spatial values).
    package static func readExpression(_ quoted: String, _ type: CanonicalType) -> String {
        switch type {
        case .date, .time, .timestamp: "CONVERT(varchar(40), \(quoted), 126)"
        case .binary, .rowVersion: "CONVERT(varchar(max), \(quoted), 2)"
        case .geometry: "CONVERT(varchar(max), \(quoted).STAsBinary(), 2)"
        case .hierarchyID: "\(quoted).ToString()"
        case .float: "CONVERT(varchar(30), \(quoted), 3)"
        case .money: "CONVERT(varchar(30), \(quoted), 2)"
        case .uuid: "CONVERT(char(36), \(quoted))"
        case .boolean, .integer, .decimal: "CONVERT(varchar(50), \(quoted))"
        default: "CONVERT(nvarchar(max), \(quoted))"
        }
    }

    /// A text type wider than a column of `length` characters (bytes, for the non-Unicode types).
    static func unclipped(_ nativeType: String, length: Int?) -> String {
        let unicode = nativeType.lowercased().hasPrefix("n")
        let widest = unicode ? 4000 : 8000
        guard let length, length < widest else { return unicode ? "nvarchar(max)" : "varchar(max)" }
        return unicode ? "nvarchar(4000)" : "varchar(8000)"
    }

    /// The expression turning a bound nvarchar parameter back into a value of the column type.
    package static func writeExpression(_ parameter: String, _ type: CanonicalType, nativeType: String) -> String {
        switch type {
        case .binary, .rowVersion: "CONVERT(varbinary(max), \(parameter), 2)"
        case let .geometry(geography):
            "\(geography ? "geography" : "geometry")::STGeomFromWKB(CONVERT(varbinary(max), \(parameter), 2), \(geography ? 4326 : 0))"
        case .hierarchyID: "hierarchyid::Parse(\(parameter))"
        case .date, .time, .timestamp: "CONVERT(\(nativeType), \(parameter), 126)"
        // A conversion to the column's length would cut a longer value without a word (written, or compared in a
        // filter). The widest type that is not a large object keeps more than the column holds, so the column
        // refuses it (error 2628) and comparisons still seek; a `max` column gets its `max` type.
        case let .text(length, _, _): "CONVERT(\(unclipped(nativeType, length: length)), \(parameter))"
        default: "CONVERT(\(nativeType), \(parameter))"
        }
    }
}
