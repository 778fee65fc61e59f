import DatabaseConnectors
import Foundation
import Synchronization

/// Reads rows with the related rows they embed (`select=*,orders(*)`, `select=id,customer:customers(name)`):
/// one query per table and level (two through a junction table), the related rows fetched by the keys of the
/// rows above (bound values, a bounded number per query) and nested in memory. The same compiled queries run
/// on every engine. Conditions on related rows (`!inner`, `orders=is.null`) are `EXISTS` in the outer query.
package struct EmbeddingReader: Sendable {
    package typealias Run = @Sendable (CompiledQuery) async throws -> [Row]

    /// The compilers of the tables a request may embed, by table name.
    let compilers: [String: QueryCompiler]
    let maxRows: Int
    let run: Run
    /// Outer keys per related-rows query.
    static let keysPerQuery = 500
    /// All the rows one request embeds, at every level and through every embed, may number this many times
    /// `maxRows` at most; a request that would embed more is refused (not cut short: a shortened array would
    /// look complete).
    package static let embeddedFactor = 10
    /// The most bytes of embedded JSON one request assembles (related rows shared by many outer rows are copied
    /// into each, which the row allowance does not see).
    package static let embeddedBytes = 64 << 20
    let maxBytes: Int

    /// What is left of a request's allowance of embedded rows.
    final class Allowance: Sendable {
        private let left: Mutex<Int>
        private let bytesLeft: Mutex<Int>

        init(_ rows: Int, bytes: Int) {
            left = Mutex(rows)
            bytesLeft = Mutex(bytes)
        }

        /// Takes `bytes` of assembled JSON (a row shared by many outer rows is copied into each); false past the cap.
        func takeBytes(_ bytes: Int) -> Bool {
            bytesLeft.withLock { left in
                left -= bytes
                return left >= 0
            }
        }

        var remaining: Int { left.withLock { $0 } }

        /// Takes `rows`; false when there were not that many left.
        func take(_ rows: Int) -> Bool {
            left.withLock { left in
                left -= rows
                return left >= 0
            }
        }
    }

    /// An embed of one level with what it resolved to.
    struct Resolved {
        let embed: Embed
        let relationship: Relationship
        let inner: QueryCompiler
        let junction: QueryCompiler?
        /// Its path among the request's embeds (`orders.order_lines`).
        let path: String
    }

    /// One level's rows: each row's values (JSON) under `names`, and its values of the keys the level above matches.
    struct Level {
        var names: [String]
        var cells: [[[UInt8]]]
        var keyValues: [[CanonicalValue]]
    }

    package init(compilers: [String: QueryCompiler], maxRows: Int, maxBytes: Int = embeddedBytes, run: @escaping Run) {
        self.compilers = compilers
        self.maxRows = maxRows
        self.maxBytes = maxBytes
        self.run = run
    }

    /// Whether a select asks for embedding.
    package static func embeds(_ select: [SelectItem]) -> Bool {
        select.contains(where: \.isEmbed)
    }

    /// The rows of `request` over `compiler`'s table, each as a JSON object with its embedded rows.
    /// `source`: the rows come from a function call rather than the table (its rows are the table's type).
    package func read(_ request: ReadRequest, with compiler: QueryCompiler, from source: QueryCompiler.Source? = nil) async throws -> [[UInt8]] {
        let top = try await level(
            request, compiler, keys: [], limit: maxRows, path: "", embedded: request.embedded,
            allowance: Allowance(maxRows * Self.embeddedFactor, bytes: maxBytes), source: source)
        let keys = JSONRows.keys(top.names)
        return top.cells.map { JSONRows.object(keys: keys, values: $0) }
    }

    /// `request` with its embeds' conditions on related rows among its filters (what counts its rows).
    package func counted(_ request: ReadRequest, with compiler: QueryCompiler) throws -> ReadRequest {
        var counted = request
        counted.filters = try filters(request.filters, embeds: resolve(request.select, of: compiler, path: ""), embedded: request.embedded)
        return counted
    }

    /// The embeds of a select, each with its relationship (PGRST200 or PGRST201 when it has not exactly one).
    func resolve(_ select: [SelectItem], of compiler: QueryCompiler, path: String) throws -> [Resolved] {
        let tables = compilers.mapValues(\.table)
        if Self.embeds(select), select.contains(where: \.isAggregate) {
            throw AutoAPIError.unsupported("aggregates beside embedded tables are not served", hint: "aggregate in a request of its own")
        }
        return try select.compactMap { item in
            guard case let .embed(embed) = item else { return nil }
            let relationship = try Relationship.resolve(embed, from: compiler.table, among: tables)
            return Resolved(
                embed: embed, relationship: relationship, inner: compilers[relationship.innerTable]!,
                junction: relationship.junction.map { compilers[$0.table]! }, path: path + embed.name)
        }
    }

    /// A level's filters with its embeds' conditions on related rows: `!inner` embeds, and `name=is.null` or
    /// `name=not.is.null` on an embed's name (anywhere in the filters' groups, as `or=(a.not.is.null,…)`).
    func filters(_ filters: [FilterNode], embeds: [Resolved], embedded: [String: EmbeddedOptions]) throws -> [FilterNode] {
        var related: [String: RelatedRows] = [:]
        for resolved in embeds {
            let options = embedded[resolved.path] ?? EmbeddedOptions()
            let innerEmbeds = try resolve(resolved.embed.select, of: resolved.inner, path: resolved.path + ".")
            related[resolved.embed.name] = RelatedRows(
                relationship: resolved.relationship, inner: resolved.inner, junction: resolved.junction,
                filters: try self.filters(options.filters, embeds: innerEmbeds, embedded: embedded), exists: true)
        }
        func rewrite(_ node: FilterNode) -> FilterNode {
            switch node {
            case let .condition(condition):
                guard condition.path == nil, var rows = related[condition.column], case let .isValue(value) = condition.operation,
                    value == .null || value == .notNull
                else { return node }
                rows.exists = (value == .notNull) != condition.negated
                return .related(rows)
            case let .group(conjunction, negated, members):
                return .group(conjunction: conjunction, negated: negated, members: members.map(rewrite))
            case .related:
                return node
            }
        }
        return filters.map(rewrite) + embeds.filter(\.embed.inner).map { .related(related[$0.embed.name]!) }
    }

    /// One level: its rows, and each row's values of `keys` (for the level above to match on). `path` is this
    /// level's place in the select (empty at the top); `embedded` the request's options of embedded tables, by path.
    private func level(
        _ request: ReadRequest, _ compiler: QueryCompiler, keys: [String], limit: Int, path: String,
        embedded: [String: EmbeddedOptions], allowance: Allowance, window: QueryCompiler.GroupWindow? = nil,
        source: QueryCompiler.Source? = nil
    ) async throws -> Level {
        let plain = request.select.filter { !$0.isEmbed }
        let embeds = try resolve(request.select, of: compiler, path: path)
        let hidden = Self.hidden(keys: keys, embeds: embeds)
        var query = request
        query.select = plain + hidden.map { .column(name: $0, alias: nil, cast: nil) }
        query.filters = try filters(request.filters, embeds: embeds, embedded: embedded)
        let compiled =
            try window.map { try compiler.select(query, maxRows: limit, window: $0) } ?? compiler.select(query, maxRows: limit, from: source)
        let rows = try await run(compiled)
        return try await assemble(
            rows, columns: compiled.columns, hidden: hidden, keys: keys, embeds: embeds, embedded: embedded, allowance: allowance)
    }

    /// Columns the matching needs (the level above's keys, then each embed's outer columns), read after the
    /// requested ones and not shown.
    static func hidden(keys: [String], embeds: [Resolved]) -> [String] {
        var hidden: [String] = []
        for name in keys + embeds.flatMap(\.relationship.outerColumns) where !hidden.contains(name) { hidden.append(name) }
        return hidden
    }

    /// A write's `select=` as the write itself can return it: its columns, then (hidden) the ones its embeds match on.
    package func returning(_ select: [SelectItem], with compiler: QueryCompiler) throws -> [SelectItem] {
        let plain = select.filter { !$0.isEmbed }
        let hidden = Self.hidden(keys: [], embeds: try resolve(select, of: compiler, path: ""))
        return plain + hidden.map { .column(name: $0, alias: nil, cast: nil) }
    }

    /// The rows a write returned (through `returning(_:with:)`), each as an object with its embedded rows, read
    /// after the write.
    package func objects(
        _ rows: [Row], columns: [ResultColumn], request: ReadRequest, with compiler: QueryCompiler
    ) async throws -> [[UInt8]] {
        let embeds = try resolve(request.select, of: compiler, path: "")
        let level = try await assemble(
            rows, columns: columns, hidden: Self.hidden(keys: [], embeds: embeds), keys: [], embeds: embeds,
            embedded: request.embedded, allowance: Allowance(maxRows * Self.embeddedFactor, bytes: maxBytes))
        let keys = JSONRows.keys(level.names)
        return level.cells.map { JSONRows.object(keys: keys, values: $0) }
    }

    /// A level's rows (read with `hidden` after their shown columns) with their embedded rows.
    private func assemble(
        _ rows: [Row], columns: [ResultColumn], hidden: [String], keys: [String], embeds: [Resolved],
        embedded: [String: EmbeddedOptions], allowance: Allowance
    ) async throws -> Level {
        let visible = columns.count - hidden.count
        func values(_ names: [String], of row: Row) -> [CanonicalValue] {
            names.map { row.values[visible + hidden.firstIndex(of: $0)!] }
        }
        var result = Level(
            names: columns.prefix(visible).map(\.name), cells: JSONRows.cells(rows, columns: columns, visible: visible),
            keyValues: rows.map { values(keys, of: $0) })
        for embed in embeds where !embed.embed.select.isEmpty {
            let outerKeys = rows.map { values(embed.relationship.outerColumns, of: $0) }
            let (names, related) = try await relatedRows(embed, outerKeys: outerKeys, embedded: embedded, allowance: allowance)
            let keys = JSONRows.keys(names)
            let null = Array("null".utf8)
            func copied(_ values: [[UInt8]]) throws -> [[UInt8]] {
                guard allowance.takeBytes(values.reduce(0) { $0 + $1.count }) else {
                    throw AutoAPIError(
                        status: 400, code: "embed_too_large",
                        message: "'\(embed.path)' would embed more than \(maxBytes) bytes of rows",
                        hint: "narrow the outer rows (limit, filters) or the embedded ones (\(embed.path).column=…)")
                }
                return values
            }
            if !embed.embed.spread {
                result.names.append(embed.embed.name)
                for (index, rows) in related.enumerated() {
                    let objects = rows.map { JSONRows.object(keys: keys, values: $0) }
                    result.cells[index] += try copied([embed.relationship.toOne ? objects.first ?? null : JSONRows.array(objects)])
                }
            } else {
                // Spread: the embedded values become the row's own (to-many: an array of each).
                result.names += names
                for (index, rows) in related.enumerated() {
                    result.cells[index] += try copied(
                        names.indices.map { column in
                            embed.relationship.toOne ? rows.first?[column] ?? null : JSONRows.array(rows.map { $0[column] })
                        })
                }
            }
        }
        return result
    }

    /// The rows of `embed` related to each outer row (by its values of the relationship's outer columns), in the
    /// embed's order and window, with the names of their values.
    private func relatedRows(
        _ embed: Resolved, outerKeys: [[CanonicalValue]], embedded: [String: EmbeddedOptions], allowance: Allowance
    ) async throws -> (names: [String], rows: [[[[UInt8]]]]) {
        let relationship = embed.relationship
        let options = embedded[embed.path] ?? EmbeddedOptions()
        let aggregates = embed.embed.select.filter(\.isAggregate)
        if relationship.junction != nil, !aggregates.isEmpty {
            throw AutoAPIError.unsupported("aggregates in a many-to-many embed ('\(embed.path)') are not served")
        }
        var related: [[CanonicalValue]: [[[UInt8]]]] = [:]
        var names: [String] = []
        var windowed = false
        // Outer keys a chunk at a time: each outer row's related rows come from one query, in one order.
        for chunk in Array(Set(outerKeys.filter { !$0.contains(.null) })).chunked(Self.keysPerQuery) {
            let keys = Array(chunk)
            var inner = ReadRequest(select: embed.embed.select, filters: options.filters)
            // The key last, so rows the requested order ties keep one order (aggregated rows are groups: no key).
            inner.order = options.order + (aggregates.isEmpty ? embed.inner.table.primaryKey.map { OrderTerm(column: $0) } : [])
            var pairs: [[CanonicalValue]: [[CanonicalValue]]] = [:]
            var window: QueryCompiler.GroupWindow?
            if let junction = embed.junction, let columns = relationship.junction {
                pairs = try await junctionPairs(junction, columns, keys, embed, allowance)
                // The embedded rows some outer row of the chunk pairs with, through the junction.
                let back = Relationship(
                    cardinality: .oneToMany, name: columns.table, outerTable: relationship.innerTable, innerTable: columns.table,
                    outerColumns: relationship.innerColumns, innerColumns: columns.innerColumns)
                inner.filters.append(
                    .related(
                        RelatedRows(
                            relationship: back, inner: junction, junction: nil, filters: [Self.matching(columns.outerColumns, keys)],
                            exists: true)))
            } else {
                inner.filters.append(Self.matching(relationship.innerColumns, keys))
                // Each outer row's window, taken in the database: rows outside it are never read.
                if aggregates.isEmpty, options.limit != nil || options.offset != nil {
                    window = QueryCompiler.GroupWindow(partition: relationship.innerColumns, offset: options.offset ?? 0, limit: options.limit)
                }
            }
            windowed = windowed || window != nil
            let found = try await level(
                inner, embed.inner, keys: relationship.innerColumns, limit: allowance.remaining + 1, path: embed.path + ".",
                embedded: embedded, allowance: allowance, window: window)
            try take(found.cells.count, embed, allowance)
            names = found.names
            var byKey: [[CanonicalValue]: [[[UInt8]]]] = [:]
            var position: [[CanonicalValue]: Int] = [:]
            for (cells, key) in zip(found.cells, found.keyValues) {
                byKey[key, default: []].append(cells)
                position[key] = position[key] ?? position.count
            }
            for key in keys {
                guard relationship.junction != nil else {
                    related[key] = byKey[key] ?? []
                    continue
                }
                let paired = (pairs[key] ?? []).compactMap { inner in position[inner].map { (inner, $0) } }
                related[key] = paired.sorted { $0.1 < $1.1 }.flatMap { byKey[$0.0] ?? [] }
            }
        }
        if names.isEmpty, let inner = try? embed.inner.select(ReadRequest(select: embed.embed.select), maxRows: 0) {
            names = inner.columns.map(\.name)  // no rows at all: the names a spread still shows
        }
        // Only aggregates, and nothing related: one group of nothing (count 0, the others null), as PostgREST answers.
        let empty: [[UInt8]]? =
            aggregates.count == embed.embed.select.count && !relationship.toOne
            ? aggregates.map { item in
                guard case let .aggregate(aggregate) = item, aggregate.function == .count, aggregate.cast == nil else { return Array("null".utf8) }
                return Array("0".utf8)
            } : nil
        let rows = outerKeys.map { key -> [[[UInt8]]] in
            var rows = related[key] ?? []
            if rows.isEmpty, let empty { rows = [empty] }
            if windowed { return rows }
            let start = min(options.offset ?? 0, rows.count)
            return Array(rows[start...].prefix(options.limit ?? Int.max))
        }
        return (names, rows)
    }

    /// The junction's pairs of outer and embedded keys for `outerKeys`, by outer key.
    private func junctionPairs(
        _ junction: QueryCompiler, _ columns: Relationship.Junction, _ outerKeys: [[CanonicalValue]], _ embed: Resolved, _ allowance: Allowance
    ) async throws -> [[CanonicalValue]: [[CanonicalValue]]] {
        let request = ReadRequest(
            select: (columns.outerColumns + columns.innerColumns).map { .column(name: $0, alias: nil, cast: nil) },
            filters: [Self.matching(columns.outerColumns, outerKeys)])
        let rows = try await run(try junction.select(request, maxRows: allowance.remaining + 1))
        try take(rows.count, embed, allowance)
        var pairs: [[CanonicalValue]: [[CanonicalValue]]] = [:]
        for row in rows {
            let inner = Array(row.values.dropFirst(columns.outerColumns.count))
            guard !inner.contains(.null) else { continue }
            pairs[Array(row.values.prefix(columns.outerColumns.count)), default: []].append(inner)
        }
        return pairs
    }

    /// Takes `rows` from the request's allowance, or refuses the request.
    private func take(_ rows: Int, _ embed: Resolved, _ allowance: Allowance) throws {
        guard allowance.take(rows) else {
            throw AutoAPIError(
                status: 400, code: "embed_too_large",
                message: "'\(embed.path)' would embed more than \(maxRows * Self.embeddedFactor) rows",
                hint: "narrow the outer rows (limit, filters) or the embedded ones (\(embed.path).column=…)")
        }
    }

    /// A filter selecting the rows whose `columns` hold one of `keys`.
    static func matching(_ columns: [String], _ keys: [[CanonicalValue]]) -> FilterNode {
        let texts = keys.map { $0.map { PostgresValueCodec.encode($0) ?? "" } }
        if columns.count == 1 {
            return .condition(Condition(column: columns[0], operation: .isIn(texts.map { $0[0] })))
        }
        return .group(
            conjunction: .or, negated: false,
            members: texts.map { key in
                .group(
                    conjunction: .and, negated: false,
                    members: zip(columns, key).map {
                        .condition(Condition(column: $0, operation: .compare(.eq, $1)))
                    })
            })
    }
}
