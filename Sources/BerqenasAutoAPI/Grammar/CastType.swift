/// The types a column may be cast to in `select=` (`col::text`): the common ones, which every engine has, and
/// on PostgreSQL any other type it knows (`named`), whose name is checked to be a type name and nothing else
/// before it reaches SQL (the server then says whether it exists: 42704).
package enum CastType: Sendable, Hashable {
    case text, integer, bigint, numeric, boolean, date, timestamp, timestamptz, json, jsonb, double
    case named(String)

    /// The casts every engine takes.
    static let common: [CastType] = [.text, .integer, .bigint, .numeric, .boolean, .date, .timestamp, .timestamptz, .json, .jsonb, .double]

    /// The type as PostgreSQL spells it.
    var name: String {
        switch self {
        case .text: "text"
        case .integer: "integer"
        case .bigint: "bigint"
        case .numeric: "numeric"
        case .boolean: "boolean"
        case .date: "date"
        case .timestamp: "timestamp"
        case .timestamptz: "timestamptz"
        case .json: "json"
        case .jsonb: "jsonb"
        case .double: "double precision"
        case let .named(name): name
        }
    }

    /// The spellings PostgREST users write; another well-formed type name is `named`.
    static func parse(_ text: String) -> CastType? {
        switch text.lowercased() {
        case "text", "varchar", "character varying": .text
        case "int", "int4", "integer": .integer
        case "int8", "bigint": .bigint
        case "numeric", "decimal": .numeric
        case "bool", "boolean": .boolean
        case "date": .date
        case "timestamp": .timestamp
        case "timestamptz": .timestamptz
        case "json": .json
        case "jsonb": .jsonb
        case "float8", "double precision", "float", "double": .double
        default: typeName(text.lowercased()).map(CastType.named)
        }
    }

    /// Multi-word type names PostgreSQL's grammar has (any other name is one word).
    static let multiWord: Set<String> = [
        "double precision", "character varying", "bit varying", "timestamp with time zone", "timestamp without time zone",
        "time with time zone", "time without time zone",
    ]

    /// `text` if it is a type name and nothing more: one word (optionally schema-qualified) or a known
    /// multi-word name, an optional modifier of one or two numbers (`(10,2)`), up to two `[]`. Nothing else
    /// (no quote, no operator, no other parenthesis) can follow `::` into SQL.
    static func typeName(_ text: String) -> String? {
        var base = Substring(text)
        var arrays = 0
        while base.hasSuffix("[]"), arrays < 2 {
            base = base.dropLast(2)
            arrays += 1
        }
        var modifier = ""
        if base.hasSuffix(")"), let open = base.lastIndex(of: "(") {
            let numbers = base[base.index(after: open)..<base.index(before: base.endIndex)].split(separator: ",", omittingEmptySubsequences: false)
            guard (1...2).contains(numbers.count),
                numbers.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
            else { return nil }
            modifier = "(" + numbers.joined(separator: ",") + ")"
            base = base[..<open]
        }
        func word(_ part: Substring) -> Bool {
            guard let first = part.first, first.isASCII, first.isLetter || first == "_", part.count <= 63 else { return false }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
        let parts = base.split(separator: ".", omittingEmptySubsequences: false)
        guard multiWord.contains(String(base)) || (1...2).contains(parts.count) && parts.allSatisfy(word) else { return nil }
        return String(base) + modifier + String(repeating: "[]", count: arrays)
    }
}
