/// What a GET asks for, as PostgREST's URL grammar says it: columns, filters, order and a window.
package struct ReadRequest: Sendable, Equatable {
    package var select: [SelectItem] = [.all]
    /// Column filters and `and`/`or` groups, all of which must hold.
    package var filters: [FilterNode] = []
    package var order: [OrderTerm] = []
    package var limit: Int?
    package var offset: Int?
    /// Filters and order of embedded tables (`orders.status=eq.paid`, `orders.order=id.desc`), by the embed's
    /// path in `select` (its alias or table name; nested ones joined with dots: `orders.order_lines`).
    package var embedded: [String: EmbeddedOptions] = [:]

    package init(select: [SelectItem] = [.all], filters: [FilterNode] = [], order: [OrderTerm] = [], limit: Int? = nil, offset: Int? = nil) {
        self.select = select
        self.filters = filters
        self.order = order
        self.limit = limit
        self.offset = offset
    }
}

/// What narrows and orders an embedded table's rows: they filter the embedded rows only (a to-many embed
/// becomes a shorter or empty array, a to-one one null), never the rows they are embedded in.
package struct EmbeddedOptions: Sendable, Equatable {
    package var filters: [FilterNode] = []
    package var order: [OrderTerm] = []
}

/// One entry of `select=`.
package enum SelectItem: Sendable, Equatable {
    /// `*`: every column served.
    case all
    /// `alias:column->path::cast` (alias, JSON path and cast optional).
    case column(name: String, alias: String?, cast: CastType?, path: JSONPath? = nil)
    /// `alias:table(items)`: the related rows of another served table, through a foreign key.
    indirect case embed(table: String, alias: String?, select: [SelectItem])
}

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

/// A filter, or a group of them.
package indirect enum FilterNode: Sendable, Equatable {
    case condition(Condition)
    /// `and=(…)`, `or=(…)`, possibly negated (`not.or=(…)`).
    case group(conjunction: Conjunction, negated: Bool, members: [FilterNode])

    package enum Conjunction: String, Sendable { case and, or }

    /// The conditions in this node and every group below it (each value of a modifier's list counts).
    var conditionCount: Int {
        switch self {
        case let .condition(condition):
            if case let .quantified(_, members) = condition.operation { max(1, members.count) } else { 1 }
        case let .group(_, _, members): members.reduce(0) { $0 + $1.conditionCount }
        }
    }
}

/// `column[->path]=[not.]operator.value`.
package struct Condition: Sendable, Equatable {
    package var column: String
    /// A path into the column's JSON (`data->>id=eq.1`).
    package var path: JSONPath?
    package var negated: Bool
    package var operation: Operation

    package init(column: String, path: JSONPath? = nil, negated: Bool = false, operation: Operation) {
        self.column = column
        self.path = path
        self.negated = negated
        self.operation = operation
    }

    package indirect enum Operation: Sendable, Equatable {
        /// eq, neq, gt, gte, lt, lte: the value as text, typed by the column.
        case compare(Comparison, String)
        /// like, ilike (PostgREST's `*` is SQL's `%`).
        case like(String, caseInsensitive: Bool)
        /// match, imatch: a POSIX regular expression (PostgreSQL only).
        case match(String, caseInsensitive: Bool)
        case isIn([String])
        case isValue(IsValue)
        case isDistinct(String)
        /// cs, cd, ov, sl, sr, nxr, nxl, adj: arrays, ranges and JSON containment (PostgreSQL).
        case containment(Containment, String)
        /// fts, plfts, phfts, wfts, with an optional text search configuration (`fts(english)`).
        case textSearch(TextSearch, language: String?, query: String)
        /// `eq(any).{a,b}`, `like(all).{a*,*b}`: the same operator with each value, any or all of them holding.
        case quantified(all: Bool, [Operation])
    }

    package enum Containment: String, Sendable, CaseIterable {
        case cs, cd, ov, sl, sr, nxr, nxl, adj

        /// PostgreSQL's operator.
        var symbol: String {
            switch self {
            case .cs: "@>"
            case .cd: "<@"
            case .ov: "&&"
            case .sl: "<<"
            case .sr: ">>"
            case .nxr: "&<"
            case .nxl: "&>"
            case .adj: "-|-"
            }
        }
    }

    package enum TextSearch: String, Sendable, CaseIterable {
        case fts, plfts, phfts, wfts

        /// The PostgreSQL function that reads the query.
        var function: String {
            switch self {
            case .fts: "to_tsquery"
            case .plfts: "plainto_tsquery"
            case .phfts: "phraseto_tsquery"
            case .wfts: "websearch_to_tsquery"
            }
        }
    }

    package enum Comparison: String, Sendable, CaseIterable { case eq, neq, gt, gte, lt, lte }

    package enum IsValue: String, Sendable { case null, notNull = "not_null", `true`, `false`, unknown }
}

/// `order=column[->path][.asc|.desc][.nullsfirst|.nullslast]`.
package struct OrderTerm: Sendable, Equatable {
    package var column: String
    package var path: JSONPath?
    package var descending: Bool
    /// nil: the engine's default.
    package var nullsFirst: Bool?

    package init(column: String, path: JSONPath? = nil, descending: Bool = false, nullsFirst: Bool? = nil) {
        self.column = column
        self.path = path
        self.descending = descending
        self.nullsFirst = nullsFirst
    }
}
