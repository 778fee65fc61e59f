import DatabaseConnectors
import Foundation
import Synchronization

/// Reads rows with the related rows they embed (`select=*,orders(*)`, `select=id,customer:customers(name)`):
/// one query per table and level, the related rows fetched by the keys of the rows above (bound values,
/// a bounded number per query) and nested in memory. The same compiled queries run on every engine.
package struct EmbeddingReader: Sendable {
    package typealias Run = @Sendable (CompiledQuery) async throws -> [Row]

    /// The served tables' compilers, by table name.
    let compilers: [String: QueryCompiler]
    let maxRows: Int
    let run: Run
    /// Outer keys per related-rows query.
    static let keysPerQuery = 500
    /// All the rows one request embeds, at every level and through every embed, may number this many times
    /// `maxRows` at most; a request that would embed more is refused (not cut short: a shortened array would
    /// look complete).
    package static let embeddedFactor = 10

    /// What is left of a request's allowance of embedded rows.
    final class Allowance: Sendable {
        private let left: Mutex<Int>

        init(_ rows: Int) { left = Mutex(rows) }

        var remaining: Int { left.withLock { $0 } }

        /// Takes `rows`; false when there were not that many left.
        func take(_ rows: Int) -> Bool {
            left.withLock { left in
                left -= rows
                return left >= 0
            }
        }
    }

    package init(compilers: [String: QueryCompiler], maxRows: Int, run: @escaping Run) {
        self.compilers = compilers
        self.maxRows = maxRows
        self.run = run
    }

    /// Whether a select asks for embedding.
    package static func embeds(_ select: [SelectItem]) -> Bool {
        select.contains { if case .embed = $0 { true } else { false } }
    }

    /// The rows of `request` over `compiler`'s table, each as a JSON object with its embedded rows.
    package func read(_ request: ReadRequest, with compiler: QueryCompiler) async throws -> [[UInt8]] {
        try await level(
            request, compiler, keys: [], limit: maxRows, path: "", embedded: request.embedded,
            allowance: Allowance(maxRows * Self.embeddedFactor)
        ).objects
    }

    /// One level: its rows as objects, and each row's values of `keys` (for the level above to match on).
    /// `path` is this level's place in the select (empty at the top); `embedded` the request's filters and order
    /// of embedded tables, by path.
    private func level(
        _ request: ReadRequest, _ compiler: QueryCompiler, keys: [String], limit: Int, path: String,
        embedded: [String: EmbeddedOptions], allowance: Allowance
    ) async throws -> (objects: [[UInt8]], keyValues: [[CanonicalValue]]) {
        var plain: [SelectItem] = []
        var embeds: [(table: String, alias: String?, select: [SelectItem], relationship: Relationship, inner: QueryCompiler)] = []
        for item in request.select {
            guard case let .embed(table, alias, select) = item else {
                plain.append(item)
                continue
            }
            guard let inner = compilers[table] else {
                throw AutoAPIError(
                    status: 400, code: "PGRST200", message: "Could not find a relationship with '\(table)' in this API",
                    hint: "embedding follows foreign keys between two tables the API serves")
            }
            embeds.append((table, alias, select, try Relationship.between(compiler.table, inner.table), inner))
        }
        // Columns the matching needs, read after the requested ones and not shown.
        var hidden: [String] = []
        for name in keys + embeds.flatMap(\.relationship.outerColumns) where !hidden.contains(name) { hidden.append(name) }
        var query = request
        query.select = plain + hidden.map { .column(name: $0, alias: nil, cast: nil) }
        let compiled = try compiler.select(query, maxRows: limit)
        let rows = try await run(compiled)
        let visible = compiled.columns.count - hidden.count
        func values(_ names: [String], of row: Row) -> [CanonicalValue] {
            names.map { row.values[visible + hidden.firstIndex(of: $0)!] }
        }
        var members: [(name: String, values: [[UInt8]])] = []
        for embed in embeds {
            let outerKeys = rows.map { values(embed.relationship.outerColumns, of: $0) }
            var byKey: [[CanonicalValue]: [[UInt8]]] = [:]
            let wanted = Array(Set(outerKeys.filter { !$0.contains(.null) }))
            let innerPath = path + (embed.alias ?? embed.table)
            let options = embedded[innerPath] ?? EmbeddedOptions()
            for chunk in wanted.chunked(Self.keysPerQuery) {
                var inner = ReadRequest(
                    select: embed.select,
                    filters: [Self.matching(embed.relationship.innerColumns, Array(chunk))] + options.filters)
                // The key last, so rows the requested order ties keep one order.
                inner.order = options.order + embed.inner.table.primaryKey.map { OrderTerm(column: $0) }
                let found = try await level(
                    inner, embed.inner, keys: embed.relationship.innerColumns, limit: allowance.remaining + 1,
                    path: innerPath + ".", embedded: embedded, allowance: allowance)
                guard allowance.take(found.objects.count) else {
                    throw AutoAPIError(
                        status: 400, code: "embed_too_large",
                        message: "'\(innerPath)' would embed more than \(maxRows * Self.embeddedFactor) rows",
                        hint: "narrow the outer rows (limit, filters) or the embedded ones (\(innerPath).column=…)")
                }
                for (object, key) in zip(found.objects, found.keyValues) { byKey[key, default: []].append(object) }
            }
            members.append(
                (
                    embed.alias ?? embed.table,
                    outerKeys.map { key in
                        let related = byKey[key] ?? []
                        if embed.relationship.toOne { return related.first ?? Array("null".utf8) }
                        return [UInt8(ascii: "[")] + Array(related.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "]")]
                    }
                ))
        }
        let objects = JSONRows.objects(rows, columns: compiled.columns, visible: visible, members: members)
        return (objects, rows.map { values(keys, of: $0) })
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
