/// `[alias:]column.sum()[::cast]`, `[alias:]count()` in `select=` (PostgREST 12's aggregates): the rows are
/// grouped by the select's other columns. Served only where the API allows aggregates.
package struct Aggregate: Sendable, Equatable {
    package enum Function: String, Sendable, CaseIterable {
        case sum, avg, min, max, count
    }

    package var function: Function
    /// nil: `count()`, every row.
    package var column: String?
    package var alias: String?
    /// A cast of the result (`amount.sum()::text`).
    package var cast: CastType?

    package init(_ function: Function, column: String? = nil, alias: String? = nil, cast: CastType? = nil) {
        self.function = function
        self.column = column
        self.alias = alias
        self.cast = cast
    }

    /// The value's name in the answer: the alias, else the function's (as PostgREST names it).
    package var name: String { alias ?? function.rawValue }

    /// Whether `select` aggregates, at its level or in an embed.
    package static func appears(in select: [SelectItem]) -> Bool {
        select.contains { item in
            switch item {
            case .aggregate: true
            case let .embed(embed): appears(in: embed.select)
            case .all, .column: false
            }
        }
    }

    /// `column.fn()` or `count()` (the alias and cast already taken off); nil when `text` is no aggregate.
    static func parse(_ text: Substring) -> (function: Function, column: String?)? {
        guard text.hasSuffix("()") else { return nil }
        let call = text.dropLast(2)
        guard let dot = call.lastIndex(of: ".") else { return call == "count" ? (.count, nil) : nil }
        guard let function = Function(rawValue: String(call[call.index(after: dot)...])), dot != call.startIndex else { return nil }
        return (function, RequestParser.identifier(String(call[..<dot])))
    }
}
