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
    /// `orders.limit=2`, `orders.offset=1`: a window over each outer row's embedded rows.
    package var limit: Int?
    package var offset: Int?
}

/// One entry of `select=`.
package enum SelectItem: Sendable, Equatable {
    /// `*`: every column served.
    case all
    /// `alias:column->path::cast` (alias, JSON path and cast optional).
    case column(name: String, alias: String?, cast: CastType?, path: JSONPath? = nil)
    /// `alias:table!hint!inner(items)`, `...table(items)`: the related rows of another served table.
    indirect case embed(Embed)
    /// `total:amount.sum()`, `count()`: the select's other columns group the rows.
    case aggregate(Aggregate)

    var isEmbed: Bool { if case .embed = self { true } else { false } }
    var isAggregate: Bool { if case .aggregate = self { true } else { false } }
}

/// A filter, or a group of them.
package indirect enum FilterNode: Sendable, Equatable {
    case condition(Condition)
    /// `and=(…)`, `or=(…)`, possibly negated (`not.or=(…)`).
    case group(conjunction: Conjunction, negated: Bool, members: [FilterNode])
    /// Whether an embedded table holds related rows (`orders!inner(…)`, `orders=not.is.null`, `orders=is.null`):
    /// made by the embedding reader from the select, never parsed.
    case related(RelatedRows)

    package enum Conjunction: String, Sendable { case and, or }

    /// The conditions in this node and every group below it (each value of a modifier's list counts).
    var conditionCount: Int {
        switch self {
        case let .condition(condition):
            if case let .quantified(_, members) = condition.operation { max(1, members.count) } else { 1 }
        case let .group(_, _, members): members.reduce(0) { $0 + $1.conditionCount }
        case let .related(related): related.filters.reduce(1) { $0 + $1.conditionCount }
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
