import Foundation

/// PostgreSQL types to canonical types and back (pure).
package enum PostgresTypeMap {
    /// What introspection knows about a column's type.
    package struct Descriptor: Sendable, Hashable {
        /// `format_type()` output, e.g. `numeric(38,10)`, `timestamp(3) with time zone`, `integer[]`.
        package var formatted: String
        /// `pg_type.typtype`: `b` base, `e` enum, `d` domain, `r` range, `c` composite.
        package var kind: Character
        /// Enum labels in order, for enums (and arrays of enums).
        package var enumLabels: [String]
        /// For domains: the base type's `format_type()`.
        package var domainBase: String?

        /// Creates a descriptor.
        package init(formatted: String, kind: Character = "b", enumLabels: [String] = [], domainBase: String? = nil) {
            self.formatted = formatted
            self.kind = kind
            self.enumLabels = enumLabels
            self.domainBase = domainBase
        }
    }

    /// The canonical type of a PostgreSQL column type.
    package static func canonical(_ descriptor: Descriptor) -> CanonicalType {
        if descriptor.formatted.hasSuffix("[]") {
            var element = descriptor
            element.formatted = String(descriptor.formatted.dropLast(2))
            return .array(of: canonical(element))
        }
        switch descriptor.kind {
        case "e": return .enumeration(name: descriptor.formatted, labels: descriptor.enumLabels)
        case "r", "m": return .range(of: descriptor.formatted)
        case "d":
            if let base = descriptor.domainBase {
                return canonical(Descriptor(formatted: base, enumLabels: descriptor.enumLabels))
            }
        default: break
        }
        return canonical(formatted: descriptor.formatted)
    }

    private static func canonical(formatted: String) -> CanonicalType {
        let (name, modifiers) = TypeSpelling.split(formatted)
        switch name {
        case "smallint": return .integer(bits: 16)
        case "integer": return .integer(bits: 32)
        case "bigint": return .integer(bits: 64)
        case "numeric":
            return .decimal(precision: modifiers.first, scale: modifiers.count > 1 ? modifiers[1] : (modifiers.isEmpty ? nil : 0))
        // PostgreSQL money is an integer count of cents whose text form follows lc_monetary: it is read
        // through numeric and travels as an exact decimal with two places.
        case "money": return .decimal(precision: 19, scale: 2)
        case "real": return .float(bits: 32)
        case "double precision": return .float(bits: 64)
        case "boolean": return .boolean
        case "text": return .text(length: nil, fixed: false, collation: nil)
        case "character varying": return .text(length: modifiers.first, fixed: false, collation: nil)
        case "character": return .text(length: modifiers.first ?? 1, fixed: true, collation: nil)
        case "\"char\"": return .text(length: 1, fixed: true, collation: nil)
        case "name": return .text(length: 63, fixed: false, collation: nil)
        case "bytea": return .binary(length: nil, fixed: false)
        case "uuid": return .uuid
        case "date": return .date
        case "time without time zone": return .time(precision: modifiers.first ?? 6, withZone: false)
        case "time with time zone": return .time(precision: modifiers.first ?? 6, withZone: true)
        case "timestamp without time zone": return .timestamp(precision: modifiers.first ?? 6, withZone: false)
        case "timestamp with time zone": return .timestamp(precision: modifiers.first ?? 6, withZone: true)
        case "interval": return .interval
        case "json": return .json(binary: false)
        case "jsonb": return .json(binary: true)
        case "xml": return .xml
        case "inet", "cidr", "macaddr", "macaddr8": return .networkAddress(kind: name)
        case "tsvector": return .textSearch
        case "geometry": return .geometry(geography: false)
        case "geography": return .geometry(geography: true)
        default: return .unknown(native: formatted)
        }
    }

    /// The PostgreSQL type to create for a canonical type.
    /// - Parameter postGIS: whether spatial types exist in the target database (else `bytea`).
    package static func nativeType(for type: CanonicalType, postGIS: Bool = false) -> String {
        switch type {
        case let .integer(bits): bits <= 16 ? "smallint" : bits <= 32 ? "integer" : "bigint"
        case let .decimal(precision, scale):
            precision.map { p in "numeric(\(min(p, 1000)),\(scale ?? 0))" } ?? "numeric"
        case .money: "numeric(19,4)"
        case let .float(bits): bits <= 32 ? "real" : "double precision"
        case .boolean: "boolean"
        case let .text(length, fixed, _):
            if let length, length <= 10_485_760 { fixed ? "character(\(length))" : "character varying(\(length))" } else { "text" }
        case .binary, .rowVersion: "bytea"
        case .uuid: "uuid"
        case .date: "date"
        case let .time(precision, withZone): "time(\(min(precision, 6))) with\(withZone ? "" : "out") time zone"
        case let .timestamp(precision, withZone): "timestamp(\(min(precision, 6))) with\(withZone ? "" : "out") time zone"
        case .interval: "interval"
        case let .json(binary): binary ? "jsonb" : "json"
        case .xml: "xml"
        case let .geometry(geography): postGIS ? (geography ? "geography" : "geometry") : "bytea"
        case let .array(element): nativeType(for: element, postGIS: postGIS) + "[]"
        case .enumeration, .hierarchyID, .unknown: "text"
        case let .networkAddress(kind): ["inet", "cidr", "macaddr", "macaddr8"].contains(kind) ? kind : "text"
        case let .range(of): of
        case .textSearch: "tsvector"
        }
    }
}
