import DatabaseConnectors

/// A statement ready to run: SQL text whose every value is a bound parameter (as text; nil is NULL).
package struct CompiledQuery: Sendable, Equatable {
    package var sql: String
    package var binds: [String?]
    /// The result's columns, in order: output name, the column it reads, and its cast.
    package var columns: [ResultColumn]
}

/// One column of a result.
package struct ResultColumn: Sendable, Equatable {
    package var name: String
    package var source: ColumnSchema
    package var cast: CastType?
    /// The value as it comes back (the source column, or what its cast made of it), named `name`.
    package var value: ColumnSchema
    /// How the value is shown: geometry as GeoJSON, made by the engine or from the WKT it returns.
    package var presentation: Presentation = .asRead
    /// The SQL reading the value before any cast, when it is not the source column itself (a JSON path, an
    /// aggregate).
    package var expression: String?
    /// Whether the value is an aggregate (the other columns group the rows).
    package var aggregated = false

    package enum Presentation: Sendable, Equatable {
        case asRead
        /// PostGIS `ST_AsGeoJSON`, read as JSON.
        case geoJSON
        /// SQL Server `STAsText()`, turned into GeoJSON when rendered.
        case geoJSONFromWKT
    }
}

/// Turns a parsed request into SQL for one engine. Names are looked up in the served columns (an unknown
/// one is a 400, never SQL text); values only ever travel as bound parameters.
package struct QueryCompiler: Sendable {
    package let flavor: SQLFlavor
    package let table: TableSchema
    /// The columns the API serves, by name (all of the table's unless its definition narrows them).
    let served: [String: ColumnSchema]
    let servedOrder: [ColumnSchema]

    package init(flavor: SQLFlavor, table: TableSchema, servedColumns: [String]? = nil) {
        self.flavor = flavor
        self.table = table
        let wanted = servedColumns.map(Set.init)
        servedOrder = table.columns.filter { wanted?.contains($0.name) ?? true }
        served = Dictionary(servedOrder.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// What a query reads from when it is not the table itself: a function call (its binds come first).
    package struct Source: Sendable {
        /// The FROM item, with its alias.
        package var sql: String
        package var binds: [String?]
        /// The alias, as order terms name it.
        package var alias: String
        /// The order of its rows when the request names none, and the tie-break of the request's (a procedure's rows
        /// in the order it sent them).
        package var order: String? = nil
    }

    /// `SELECT … FROM … WHERE … ORDER BY … LIMIT/OFFSET`; `maxRows` caps the limit (nil: no cap).
    /// With `total`, a last column `bq_total` counts the rows the filters select, before the window (in the same
    /// statement: a function is called once).
    package func select(_ request: ReadRequest, maxRows: Int?, from source: Source? = nil, total: Bool = false) throws -> CompiledQuery {
        var binds: [String?] = source?.binds ?? []
        var columns = try resultColumns(request.select)
        var list = selectList(columns)
        // Groups and the key order before the counting column, which groups nothing.
        let groups = Self.groups(columns, flavor)
        if total {
            let counter = ColumnSchema(name: Self.totalColumn, nativeType: "bigint", canonicalType: .integer(bits: 64))
            columns.append(ResultColumn(name: Self.totalColumn, source: counter, value: counter))
            list += ", " + flavor.cast("COUNT(*) OVER ()", to: .bigint) + " AS " + flavor.quote(Self.totalColumn)
        }
        var sql = "SELECT \(list) FROM \(source?.sql ?? flavor.qualified(table.table))"
        if let condition = try whereClause(request.filters, &binds, scope: source?.alias) { sql += " WHERE \(condition)" }
        if let groups, !groups.isEmpty { sql += " GROUP BY " + groups.joined(separator: ", ") }
        let limit = [request.limit, maxRows].compactMap { $0 }.min()
        // A source's own order also breaks the ties of the request's, so pages over equal values are stable.
        var order = try orderClause(request.order, scope: source?.alias)
        if groups == nil, let sourceOrder = source?.order { order = order.map { "\($0), \(sourceOrder)" } ?? sourceOrder }
        // Pages on SQL Server need an order: the key, or with aggregates the groups.
        let keyOrder = (groups ?? table.primaryKey.map { flavor.quote($0) }).joined(separator: ", ")
        sql += flavor.paging(order: order, limit: limit, offset: request.offset, keyOrder: keyOrder)
        return CompiledQuery(sql: sql, binds: binds, columns: columns)
    }

    /// The name of `select(…, total: true)`'s counting column.
    package static let totalColumn = "bq_total"

    /// `SELECT COUNT(*)` over the same filters (for `Prefer: count=exact`); with aggregates, of the groups.
    package func count(_ request: ReadRequest, from source: Source? = nil) throws -> CompiledQuery {
        var binds: [String?] = source?.binds ?? []
        var filtered = " FROM \(source?.sql ?? flavor.qualified(table.table))"
        if let condition = try whereClause(request.filters, &binds, scope: source?.alias) { filtered += " WHERE \(condition)" }
        let counted = flavor.quote("count")
        // Embeds have no columns here (they never sit beside aggregates).
        let columns = try resultColumns(request.select.filter { !$0.isEmbed })
        guard let groups = Self.groups(columns, flavor) else {
            return CompiledQuery(sql: "SELECT COUNT(*) AS \(counted)\(filtered)", binds: binds, columns: [])
        }
        // One row without groups, else one per group.
        let inner =
            groups.isEmpty
            ? "SELECT COUNT(*) AS \(counted)\(filtered)" : "SELECT 1 AS \(counted)\(filtered) GROUP BY \(groups.joined(separator: ", "))"
        return CompiledQuery(sql: "SELECT COUNT(*) AS \(counted) FROM (\(inner)) AS \(flavor.quote("bq_groups"))", binds: binds, columns: [])
    }

    /// With aggregates among `columns`, what groups the rows: every other column's value (nil: no aggregates).
    static func groups(_ columns: [ResultColumn], _ flavor: SQLFlavor) -> [String]? {
        guard columns.contains(where: \.aggregated) else { return nil }
        return columns.filter { !$0.aggregated }.map { $0.expression ?? flavor.quote($0.source.name) }
    }

    func column(_ name: String) throws -> ColumnSchema {
        guard let column = served[name] else { throw AutoAPIError.unknownColumn(name, table: table.table.name) }
        return column
    }

    /// The result columns in their read forms, each named for the response (or by `names`, in order).
    func selectList(_ columns: [ResultColumn], names: [String]? = nil) -> String {
        columns.enumerated().map { index, column in
            let reference = column.expression ?? flavor.quote(column.source.name)
            let expression =
                switch column.presentation {
                case .geoJSON: "ST_AsGeoJSON(\(reference))"
                case .geoJSONFromWKT: "\(reference).STAsText()"
                case .asRead: column.cast.map { flavor.cast(reference, to: $0) } ?? reference
                }
            return "\(flavor.read(expression, as: column.value)) AS \(flavor.quote(names?[index] ?? column.name))"
        }.joined(separator: ", ")
    }

    func resultColumns(_ items: [SelectItem]) throws -> [ResultColumn] {
        var columns: [ResultColumn] = []
        for item in items {
            if case let .column(_, _, .named(type)?, _) = item, !flavor.isPostgreSQL {
                throw AutoAPIError.unsupported(
                    "a cast to \(type) needs a PostgreSQL source", hint: "casts here: \(CastType.common.map(\.name).joined(separator: ", "))")
            }
            switch item {
            case .all:
                columns += servedOrder.map { presented(ResultColumn(name: $0.name, source: $0, cast: nil, value: $0)) }
            case let .embed(embed):
                throw AutoAPIError.unsupported("embedding '\(embed.target)' is served on reads only")
            case let .aggregate(aggregate):
                columns.append(try aggregated(aggregate))
            case let .column(name, alias, cast, path):
                // A JSON path reads inside the column: its value stands in for the column's.
                let source = try column(name)
                let output = alias ?? path?.defaultName(column: name) ?? name
                let (expression, read) = try path.map { try flavor.jsonPath(flavor.quote(source.name), of: source, $0) } ?? (nil, source)
                var value = cast.map { flavor.column(named: output, castTo: $0) } ?? read
                value.name = output
                let result = ResultColumn(name: output, source: source, cast: cast, value: value, expression: expression)
                columns.append(path == nil ? presented(result) : result)
            }
        }
        return columns
    }

    /// Geometry (uncast) as GeoJSON where the engine has it: PostGIS builds it, SQL Server's WKT is converted.
    private func presented(_ column: ResultColumn) -> ResultColumn {
        guard column.cast == nil, case .geometry = column.source.canonicalType else { return column }
        guard let (presentation, value) = flavor.geometryPresentation(named: column.name) else { return column }
        var shown = column
        shown.presentation = presentation
        shown.value = value
        return shown
    }

    /// The filters joined by AND; `scope` names this table for conditions on related rows (its alias inside an
    /// enclosing `EXISTS`; nil: the table itself), `depth` how many `EXISTS` enclose it.
    func whereClause(_ filters: [FilterNode], _ binds: inout [String?], scope: String? = nil, depth: Int = 0) throws -> String? {
        guard !filters.isEmpty else { return nil }
        return try filters.map { try node($0, &binds, scope: scope, depth: depth) }.joined(separator: " AND ")
    }

    private func node(_ node: FilterNode, _ binds: inout [String?], scope: String?, depth: Int) throws -> String {
        switch node {
        case let .condition(condition):
            return try self.condition(condition, &binds)
        case let .group(conjunction, negated, members):
            let joined = try members.map { try self.node($0, &binds, scope: scope, depth: depth) }
                .joined(separator: conjunction == .and ? " AND " : " OR ")
            return negated ? "NOT (\(joined))" : "(\(joined))"
        case let .related(related):
            return try related.sql(outer: scope ?? flavor.qualified(table.table), depth: depth + 1, &binds)
        }
    }

    private func condition(_ condition: Condition, _ binds: inout [String?]) throws -> String {
        var column = try column(condition.column)
        var reference = flavor.quote(column.name)
        if let path = condition.path {
            // The value at the path stands in for the column: compared, matched and bound as JSON or text.
            (reference, column) = try flavor.jsonPath(reference, of: column, path)
        }
        func bind(_ value: String) -> String {
            binds.append(flavor.boundValue(value, for: column))
            return flavor.parameter(binds.count, typedLike: column)
        }
        func bindText(_ value: String) -> String {
            binds.append(value)
            return flavor.textParameter(binds.count)
        }
        func compile(_ operation: Condition.Operation) throws -> String {
            let sql: String
            switch operation {
            case let .quantified(all, members):
                // `eq(any).{a,b}`: each member compiled as its own operation, joined (PostgreSQL's `= ANY(…)`,
                // spelled so every engine has it); an empty list holds for all, never for any.
                let parts = try members.map(compile)
                sql = parts.isEmpty ? (all ? flavor.always : flavor.never) : "(" + parts.joined(separator: all ? " AND " : " OR ") + ")"
            case let .compare(comparison, value):
                let symbol =
                    switch comparison {
                    case .eq: "="
                    case .neq: "<>"
                    case .gt: ">"
                    case .gte: ">="
                    case .lt: "<"
                    case .lte: "<="
                    }
                sql = "\(reference) \(symbol) \(bind(value))"
            case let .like(pattern, caseInsensitive):
                sql = flavor.like(flavor.asText(reference, column), pattern: pattern, caseInsensitive: caseInsensitive, bindText)
            case let .match(pattern, caseInsensitive):
                guard case .postgresql = flavor else {
                    throw AutoAPIError.unsupported(
                        "match and imatch (regular expressions) need a PostgreSQL source",
                        hint: "use like or ilike with * as the wildcard")
                }
                sql = "\(flavor.asText(reference, column)) \(caseInsensitive ? "~*" : "~") \(bindText(pattern))"
            case let .isIn(values):
                sql = values.isEmpty ? flavor.never : "\(reference) IN (\(values.map(bind).joined(separator: ", ")))"
            case let .isValue(value):
                sql = isCondition(reference, value)
            case let .containment(kind, value):
                guard case .postgresql = flavor else {
                    throw AutoAPIError.unsupported("operator \(kind.rawValue) (arrays, ranges, JSON containment) needs a PostgreSQL source")
                }
                sql = "\(reference) \(kind.symbol) \(bind(value))"
            case let .textSearch(kind, language, query):
                guard case .postgresql = flavor else {
                    throw AutoAPIError.unsupported(
                        "full-text search (\(kind.rawValue)) needs a PostgreSQL source",
                        hint: "use like or ilike with * as the wildcard")
                }
                let configuration = language.map { "\(bindText($0))::regconfig, " } ?? ""
                let document = column.canonicalType == .textSearch ? reference : "to_tsvector(\(configuration)\(flavor.asText(reference, column)))"
                sql = "\(document) @@ \(kind.function)(\(configuration)\(bindText(query)))"
            case let .isDistinct(value):
                sql = flavor.isDistinct(reference, from: bind(value))
            }
            return sql
        }
        let sql = try compile(condition.operation)
        return condition.negated ? "NOT (\(sql))" : sql
    }

    private func isCondition(_ reference: String, _ value: Condition.IsValue) -> String {
        switch (value, flavor) {
        case (.null, _), (.unknown, _): "\(reference) IS NULL"
        case (.notNull, _): "\(reference) IS NOT NULL"
        case (.true, .tsql): "\(reference) = 1"
        case (.false, .tsql): "\(reference) = 0"
        case (.true, _): "\(reference) IS TRUE"
        case (.false, _): "\(reference) IS FALSE"
        }
    }

    func orderClause(_ terms: [OrderTerm], scope: String?) throws -> String? {
        guard !terms.isEmpty else { return nil }
        return try terms.map { term in
            // Qualified: a bare name in ORDER BY would mean the output column, which may be a cast of it.
            let source = try column(term.column)
            var reference = (scope ?? flavor.qualified(table.table)) + "." + flavor.quote(source.name)
            if let path = term.path { reference = try flavor.jsonPath(reference, of: source, path).sql }
            let direction = term.descending ? "DESC" : "ASC"
            guard let nullsFirst = term.nullsFirst else { return "\(reference) \(direction)" }
            if case .tsql = flavor {
                // SQL Server has no NULLS FIRST/LAST: nulls are sorted by a leading key of their own.
                return "CASE WHEN \(reference) IS NULL THEN \(nullsFirst ? 0 : 1) ELSE \(nullsFirst ? 1 : 0) END, \(reference) \(direction)"
            }
            return "\(reference) \(direction) NULLS \(nullsFirst ? "FIRST" : "LAST")"
        }.joined(separator: ", ")
    }
}
