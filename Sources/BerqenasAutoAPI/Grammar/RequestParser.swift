import Foundation

/// Reads a GET's query string (already percent-decoded, in order) into a `ReadRequest`.
public enum RequestParser {
    public static func read(_ items: [(name: String, value: String)]) throws -> ReadRequest {
        var request = ReadRequest()
        for (name, value) in items {
            switch name {
            case "select": request.select = try select(value)
            case "order": request.order = try order(value)
            case "limit": request.limit = try count(value, "limit")
            case "offset": request.offset = try count(value, "offset")
            case "and", "or", "not.and", "not.or":
                let negated = name.hasPrefix("not.")
                request.filters.append(try FilterParser.group(Substring(value), conjunction: name.hasSuffix("and") ? .and : .or, negated: negated))
            case "columns", "on_conflict":
                continue  // for writes
            default:
                guard !name.contains("->") else {
                    throw AutoAPIError.unsupported("JSON paths in filters (\(name)) are not served yet")
                }
                request.filters.append(.condition(try FilterParser.operation(Substring(value), column: identifier(name), quotedValues: false)))
            }
        }
        return request
    }

    /// A POST's `columns=` and `on_conflict=`, with the `Prefer` choices.
    public static func insertOptions(_ items: [(name: String, value: String)], preferences: Preferences) throws -> InsertOptions {
        var options = InsertOptions(resolution: preferences.resolution, missingDefault: preferences.missingDefault)
        for (name, value) in items where name == "columns" || name == "on_conflict" {
            let names = try ListSplitter.split(Substring(value)).map { identifier($0.trimmingCharacters(in: .whitespaces)) }
            guard !names.isEmpty, !names.contains(where: \.isEmpty) else {
                throw AutoAPIError.unparsable(name, details: "\(name)=\(value): a comma-separated list of column names")
            }
            if name == "columns" { options.columns = names } else { options.onConflict = names }
        }
        return options
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
            if let open = item.firstIndex(of: "(") {
                items.append(try embed(item, open: open, depth: depth))
                continue
            }
            guard !item.contains("->") else { throw AutoAPIError.unsupported("JSON paths in select (\(item)) are not served yet") }
            var body = Substring(item)
            var cast: CastType?
            if let range = body.range(of: "::") {
                let typeName = body[range.upperBound...]
                guard let known = CastType.parse(String(typeName)) else {
                    throw AutoAPIError.unparsable("select", details: "unknown cast '\(typeName)' in \(item)",
                                                  hint: "casts: \(CastType.allCases.map(\.rawValue).joined(separator: ", "))")
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
            items.append(.column(name: identifier(String(body)), alias: alias.map(identifier), cast: cast))
        }
        return items
    }

    static let maxEmbedDepth = 4

    /// `alias:table(items)` (the alias optional).
    static func embed(_ item: String, open: String.Index, depth: Int) throws -> SelectItem {
        guard item.hasSuffix(")"), depth < maxEmbedDepth else {
            throw AutoAPIError.unparsable("select", details: depth < maxEmbedDepth ? "'\(item)': expected table(columns)"
                                                                                    : "embeds nest at most \(maxEmbedDepth) deep")
        }
        var head = String(item[..<open])
        var alias: String?
        if let colon = head.firstIndex(of: ":") {
            alias = identifier(String(head[..<colon]))
            head = String(head[head.index(after: colon)...])
        }
        // PostgREST's hints (`table!fk`, `!inner`) are not served: one relationship per pair is.
        guard !head.isEmpty, !head.contains("!"), alias?.isEmpty != true else {
            throw AutoAPIError.unparsable("select", details: "'\(item)': expected [alias:]table(columns)",
                                          hint: "relationship hints (!) are not served")
        }
        let inner = String(item[item.index(after: open)..<item.index(before: item.endIndex)])
        return .embed(table: identifier(head), alias: alias, select: inner.isEmpty ? [.all] : try select(inner, depth: depth + 1))
    }

    /// `order=price.desc.nullslast,id`.
    static func order(_ text: String) throws -> [OrderTerm] {
        try ListSplitter.split(Substring(text)).map { raw in
            var parts = raw.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard let column = parts.first, !column.isEmpty else {
                throw AutoAPIError.unparsable("order", details: "an empty item in order=\(text)")
            }
            parts.removeFirst()
            var term = OrderTerm(column: identifier(column))
            for modifier in parts {
                switch modifier {
                case "asc": term.descending = false
                case "desc": term.descending = true
                case "nullsfirst": term.nullsFirst = true
                case "nullslast": term.nullsFirst = false
                default:
                    throw AutoAPIError.unparsable("order", details: "unknown modifier '\(modifier)' in \(raw)",
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
        guard let value = Int(text), value >= 0 else {
            throw AutoAPIError.unparsable(name, details: "\(name)=\(text): a whole number of rows, 0 or more")
        }
        return value
    }
}
