import Foundation

/// Reads a GET's query string (already percent-decoded, in order) into a `ReadRequest`.
package enum RequestParser {
    package static func read(_ items: [(name: String, value: String)]) throws -> ReadRequest {
        var request = ReadRequest()
        for (name, value) in items {
            if let (path, key) = embeddedTarget(name) {
                try embedded(key, value, into: &request.embedded[path, default: EmbeddedOptions()], path: path)
                continue
            }
            switch name {
            case "select": request.select = try select(value)
            case "order": request.order = try order(value)
            case "limit": request.limit = try count(value, "limit")
            case "offset": request.offset = try count(value, "offset")
            case "and", "or", "not.and", "not.or":
                request.filters.append(try group(name, value))
            case "columns", "on_conflict":
                continue  // for writes
            default:
                request.filters.append(.condition(try FilterParser.operation(Substring(value), column: name, quotedValues: false)))
            }
        }
        let conditions =
            request.filters.reduce(0) { $0 + $1.conditionCount }
            + request.embedded.values.reduce(0) { total, options in options.filters.reduce(total) { $0 + $1.conditionCount } }
        guard conditions <= maxConditions else {
            throw AutoAPIError.unparsable("filters", details: "\(conditions) conditions in one request; at most \(maxConditions) are taken")
        }
        let paths = try embedPaths(request.select)
        if let unknown = request.embedded.keys.sorted().first(where: { !paths.contains($0) }) {
            throw AutoAPIError(
                status: 400, code: "PGRST108", message: "'\(unknown)' is not an embedded resource in this request",
                hint: "add \(unknown)(...) to select=, or name the embed by its alias")
        }
        return request
    }

    /// How many conditions one request may carry, in filters and logic trees together.
    static let maxConditions = 500

    /// `orders.status` -> ("orders", "status"); `orders.order_lines.not.or` -> ("orders.order_lines", "not.or");
    /// nil for a plain name (a quoted one is always plain: `"a.b"` is a column).
    static func embeddedTarget(_ name: String) -> (path: String, key: String)? {
        guard !name.hasPrefix("\""), name != "not.and", name != "not.or" else { return nil }
        for suffix in [".not.and", ".not.or"] where name.hasSuffix(suffix) && name.count > suffix.count {
            return (String(name.dropLast(suffix.count)), String(suffix.dropFirst()))
        }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex else { return nil }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    /// One `path.key=value` item: a filter, a group or the order of the embedded rows.
    private static func embedded(_ key: String, _ value: String, into options: inout EmbeddedOptions, path: String) throws {
        switch key {
        case "order": options.order = try order(value)
        case "and", "or", "not.and", "not.or":
            options.filters.append(try group(key, value))
        case "limit": options.limit = try count(value, "\(path).limit")
        case "offset": options.offset = try count(value, "\(path).offset")
        case "select":
            throw AutoAPIError.unparsable("select", details: "\(path).select: name an embed's columns inside select=, as \(path)(columns)")
        default:
            options.filters.append(.condition(try FilterParser.operation(Substring(value), column: key, quotedValues: false)))
        }
    }

    /// `and=(…)`, `or=(…)`, `not.and=(…)`, `not.or=(…)`.
    private static func group(_ key: String, _ value: String) throws -> FilterNode {
        try FilterParser.tree(Substring(value), conjunction: key.hasSuffix("and") ? .and : .or, negated: key.hasPrefix("not."))
    }

    /// The paths of every embed in a select (alias or table name, nested ones joined with dots).
    static func embedPaths(_ select: [SelectItem], prefix: String = "") throws -> Set<String> {
        var paths: Set<String> = []
        for case let .embed(embed) in select {
            let path = prefix + embed.name
            // One name, one embed: its filters, its conditions and its key in the answer are found by it.
            guard paths.insert(path).inserted else {
                throw AutoAPIError.unparsable("select", details: "two embeds are named '\(path)'", hint: "give one of them an alias")
            }
            paths.formUnion(try embedPaths(embed.select, prefix: path + "."))
        }
        return paths
    }

    /// A POST's `columns=` and `on_conflict=`, with the `Prefer` choices.
    package static func insertOptions(_ items: [(name: String, value: String)], preferences: Preferences) throws -> InsertOptions {
        var options = InsertOptions(resolution: preferences.resolution, missingDefault: preferences.missingDefault)
        options.columns = try names(of: "columns", in: items)
        options.onConflict = try names(of: "on_conflict", in: items)
        return options
    }

    /// A write's `columns=` (a PATCH takes only those keys), nil when absent.
    package static func columns(_ items: [(name: String, value: String)]) throws -> [String]? {
        try names(of: "columns", in: items)
    }

    /// The column names the last `parameter=` lists, nil when there is none.
    private static func names(of parameter: String, in items: [(name: String, value: String)]) throws -> [String]? {
        var found: [String]?
        for (name, value) in items where name == parameter {
            let names = try ListSplitter.split(Substring(value)).map { identifier($0.trimmingCharacters(in: .whitespaces)) }
            guard !names.isEmpty, !names.contains(where: \.isEmpty) else {
                throw AutoAPIError.unparsable(name, details: "\(name)=\(value): a comma-separated list of column names")
            }
            found = names
        }
        return found
    }

    /// `select=id,title:name,price::text,*,orders(id,total)`; embeds nest at most `maxEmbedDepth` deep.
    static func select(_ text: String, depth: Int = 0) throws -> [SelectItem] {
        var items: [SelectItem] = []
        for raw in try ListSplitter.split(Substring(text)) {
            let item = raw.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { throw AutoAPIError.unparsable("select", details: "an empty item in select=\(text)") }
            if item == "*" {
                items.append(.all)
                continue
            }
            if let aggregate = try aggregate(item) {
                items.append(.aggregate(aggregate))
                continue
            }
            // An embed's parenthesis comes before any cast (`price::numeric(10,2)` is a column).
            if let open = item.firstIndex(of: "("), item.range(of: "::").map({ open < $0.lowerBound }) ?? true {
                items.append(try embed(item, open: open, depth: depth))
                continue
            }
            var body = Substring(item)
            var cast: CastType?
            if let range = body.range(of: "::") {
                let typeName = body[range.upperBound...]
                guard let known = CastType.parse(String(typeName)) else {
                    throw AutoAPIError.unparsable(
                        "select", details: "unknown cast '\(typeName)' in \(item)",
                        hint: "a type name: \(CastType.common.map(\.name).joined(separator: ", ")), or on PostgreSQL any type it knows")
                }
                cast = known
                body = body[..<range.lowerBound]
            }
            var alias: String?
            if let colon = body.firstIndex(of: ":") {
                alias = String(body[..<colon])
                body = body[body.index(after: colon)...]
                guard let alias, !alias.isEmpty else { throw AutoAPIError.unparsable("select", details: "an empty alias in \(item)") }
            }
            guard !body.isEmpty else { throw AutoAPIError.unparsable("select", details: "no column in \(item)") }
            let (name, path) = try JSONPath.split(String(body))
            items.append(.column(name: name, alias: alias.map(identifier), cast: cast, path: path))
        }
        return items
    }

    static let maxEmbedDepth = 4

    /// `[alias:]column.fn()[::cast]` or `[alias:]count()[::cast]`; nil when the item is something else.
    static func aggregate(_ item: String) throws -> Aggregate? {
        var body = Substring(item)
        var cast: CastType?
        if let range = body.range(of: "()::") {
            guard let known = CastType.parse(String(body[range.upperBound...])) else {
                throw AutoAPIError.unparsable("select", details: "unknown cast in \(item)")
            }
            cast = known
            body = body[..<body.index(range.lowerBound, offsetBy: 2)]
        }
        var alias: String?
        if let colon = body.firstIndex(of: ":"), !body[..<colon].contains("(") {
            alias = identifier(String(body[..<colon]))
            body = body[body.index(after: colon)...]
        }
        guard let (function, column) = Aggregate.parse(body) else { return nil }
        guard alias?.isEmpty != true, column?.isEmpty != true else { throw AutoAPIError.unparsable("select", details: "'\(item)'") }
        return Aggregate(function, column: column, alias: alias, cast: cast)
    }

    /// `alias:target!hint!inner(items)` (alias, hint and join optional; `!left` is the default join) or
    /// `...target!hint(items)` (a spread takes no alias: its columns are the outer row's).
    static func embed(_ item: String, open: String.Index, depth: Int) throws -> SelectItem {
        guard item.hasSuffix(")"), depth < maxEmbedDepth else {
            throw AutoAPIError.unparsable(
                "select",
                details: depth < maxEmbedDepth
                    ? "'\(item)': expected table(columns)"
                    : "embeds nest at most \(maxEmbedDepth) deep")
        }
        var head = Substring(item[..<open])
        let spread = head.hasPrefix("...")
        if spread { head = head.dropFirst(3) }
        var alias: String?
        if let colon = head.firstIndex(of: ":") {
            alias = identifier(String(head[..<colon]))
            head = head[head.index(after: colon)...]
        }
        let parts = head.split(separator: "!", omittingEmptySubsequences: false).map { identifier(String($0)) }
        let expected = "'\(item)': expected [alias:]table[!hint][!inner|!left](columns) or ...table[!hint](columns)"
        guard let target = parts.first, !target.isEmpty, alias?.isEmpty != true, !(spread && alias != nil) else {
            throw AutoAPIError.unparsable("select", details: expected)
        }
        var embed = Embed(target: target, alias: alias, spread: spread)
        for (index, part) in parts.dropFirst().enumerated() {
            switch part {
            case "inner": embed.inner = true
            case "left": embed.inner = false
            case _ where index == 0 && !part.isEmpty: embed.hint = part
            default: throw AutoAPIError.unparsable("select", details: expected)
            }
        }
        let inner = String(item[item.index(after: open)..<item.index(before: item.endIndex)])
        embed.select = inner.trimmingCharacters(in: .whitespaces).isEmpty ? [] : try select(inner, depth: depth + 1)
        return .embed(embed)
    }

    /// `order=price.desc.nullslast,id`.
    static func order(_ text: String) throws -> [OrderTerm] {
        try ListSplitter.split(Substring(text)).map { raw in
            var parts = raw.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard let column = parts.first, !column.isEmpty else {
                throw AutoAPIError.unparsable("order", details: "an empty item in order=\(text)")
            }
            parts.removeFirst()
            let (name, path) = try JSONPath.split(column)
            var term = OrderTerm(column: name, path: path)
            for modifier in parts {
                switch modifier {
                case "asc": term.descending = false
                case "desc": term.descending = true
                case "nullsfirst": term.nullsFirst = true
                case "nullslast": term.nullsFirst = false
                default:
                    throw AutoAPIError.unparsable(
                        "order", details: "unknown modifier '\(modifier)' in \(raw)",
                        hint: "column.asc|desc[.nullsfirst|.nullslast]")
                }
            }
            return term
        }
    }

    /// A name as written, without the double quotes PostgREST allows around any identifier (`"my col"`).
    static func identifier(_ text: String) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        return String(text.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
    }

    static func count(_ text: String, _ name: String) throws -> Int {
        guard let value = PagingNumber.parse(text) else {
            throw AutoAPIError.unparsable(name, details: "\(name)=\(text.prefix(40)): \(PagingNumber.expectation)")
        }
        return value
    }
}
