/// Column filters (`price=gte.10`, `name=not.in.("a,b",c)`) and logic groups
/// (`or=(age.lt.18,and(age.gt.65,retired.is.true))`).
enum FilterParser {
    /// `not.` (optional), an operator, `.`, its value: the right side of `column=` (the column as written:
    /// quoted, or with a JSON path).
    static func operation(_ text: Substring, column reference: String, quotedValues: Bool) throws -> Condition {
        let (column, path) = try JSONPath.split(reference)
        var rest = text
        var negated = false
        if rest.hasPrefix("not.") {
            negated = true
            rest = rest.dropFirst(4)
        }
        guard let dot = rest.firstIndex(of: ".") else {
            throw AutoAPIError.unparsable(
                "filter", details: "\(column)=\(text): expected operator.value (like eq.5)",
                hint:
                    "operators: eq neq gt gte lt lte like ilike match imatch in is isdistinct, cs cd ov sl sr nxr nxl adj, fts plfts phfts wfts; each may follow not."
            )
        }
        let name = rest[..<dot]
        let rawValue = rest[rest.index(after: dot)...]
        let value = quotedValues ? ListSplitter.unquote(rawValue) : String(rawValue)
        let operation: Condition.Operation
        if let single = valueOperation(name, value) {
            operation = single
        } else {
            switch name {
            case "in": operation = .isIn(try list(rawValue, column: column))
            case "is":
                guard let known = Condition.IsValue(rawValue: value.lowercased()) else {
                    throw AutoAPIError.unparsable("filter", details: "\(column)=is.\(value): is takes null, not_null, true, false or unknown")
                }
                operation = .isValue(known)
            case "isdistinct": operation = .isDistinct(value)
            case let name where Condition.Containment(rawValue: String(name)) != nil:
                operation = .containment(Condition.Containment(rawValue: String(name))!, value)
            case let name where Condition.TextSearch(rawValue: String(name.prefix { $0 != "(" })) != nil:
                let (kind, language) = try textSearch(name, column: column)
                operation = .textSearch(kind, language: language, query: value)
            case let name where name.hasSuffix("(any)") || name.hasSuffix("(all)"):
                operation = try quantified(name, rawValue, column: column)
            default:
                throw AutoAPIError.unparsable(
                    "filter", details: "unknown operator '\(name)' in \(column)=\(text)",
                    hint: name.contains("(")
                        ? "modifiers: (any) and (all) after eq, gt, gte, lt, lte, like, ilike, match, imatch"
                        : "operators: eq neq gt gte lt lte like ilike match imatch in is isdistinct")
            }
        }
        return Condition(column: column, path: path, negated: negated, operation: operation)
    }

    /// A comparison, or a `like`/`match` pattern (PostgREST's `*` is SQL's `%`), of `value`; nil for the
    /// other operators.
    static func valueOperation(_ name: Substring, _ value: String) -> Condition.Operation? {
        if let comparison = Condition.Comparison(rawValue: String(name)) { return .compare(comparison, value) }
        switch name {
        case "like", "ilike": return .like(value.replacingOccurrences(of: "*", with: "%"), caseInsensitive: name == "ilike")
        case "match", "imatch": return .match(value, caseInsensitive: name == "imatch")
        default: return nil
        }
    }

    /// `eq(any)` with `{a,b,"c,d"}`: the operator applied to each listed value.
    static func quantified(_ name: Substring, _ value: Substring, column: String) throws -> Condition.Operation {
        let base = name.dropLast(5)
        guard base != "neq", valueOperation(base, "") != nil else {
            throw AutoAPIError.unparsable(
                "filter", details: "\(column)=\(name).\(value): (any) and (all) follow eq, gt, gte, lt, lte, like, ilike, match or imatch")
        }
        guard value.first == "{", value.last == "}" else {
            throw AutoAPIError.unparsable("filter", details: "\(column)=\(name).\(value): \(name) takes a list in braces, like {1,2,3}")
        }
        let inner = value.dropFirst().dropLast()
        let values = inner.isEmpty ? [] : try ListSplitter.split(inner).map(ListSplitter.unquote)
        return .quantified(all: name.hasSuffix("(all)"), values.compactMap { valueOperation(base, $0) })
    }

    /// `fts`, `plfts(english)`…: the kind and the configuration named in parentheses (letters, digits, `_`).
    static func textSearch(_ name: Substring, column: String) throws -> (Condition.TextSearch, String?) {
        let base = name.prefix { $0 != "(" }
        guard let kind = Condition.TextSearch(rawValue: String(base)) else {
            throw AutoAPIError.unparsable("filter", details: "unknown operator '\(name)' on \(column)")
        }
        guard base.count < name.count else { return (kind, nil) }
        let language = name.dropFirst(base.count + 1)
        guard language.hasSuffix(")"), language.count > 1,
            language.dropLast().allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else {
            throw AutoAPIError.unparsable("filter", details: "\(column)=\(name): a text search configuration is a plain name, like fts(english)")
        }
        return (kind, String(language.dropLast()))
    }

    /// `(a,"b,c",d)` -> [a, "b,c", d]; `()` -> [].
    static func list(_ text: Substring, column: String) throws -> [String] {
        guard text.first == "(", text.last == ")" else {
            throw AutoAPIError.unparsable("filter", details: "\(column)=in.\(text): in takes a list in parentheses, like in.(1,2,3)")
        }
        let inner = text.dropFirst().dropLast()
        if inner.isEmpty { return [] }
        return try ListSplitter.split(inner).map(ListSplitter.unquote)
    }

    /// How deep `and`/`or` groups may nest in one logic tree (`or=(and(or(…)))` is 3 deep).
    static let maxGroupDepth = 8

    /// A whole logic tree (`or=(…)` as a query parameter). Its nesting is checked by the first split, before
    /// any recursion: parsing (which splits each level once) stays linear in its length and its recursion bounded.
    static func tree(_ text: Substring, conjunction: FilterNode.Conjunction, negated: Bool) throws -> FilterNode {
        // The outer parentheses, the groups, and an `in.(…)` list inside the deepest group.
        let limit = maxGroupDepth + 1
        do {
            _ = try ListSplitter.split(text, maxDepth: limit)
        } catch is ListSplitter.TooDeep {
            throw tooDeep(conjunction)
        }
        return try group(text, conjunction: conjunction, negated: negated, depth: 1)
    }

    static func tooDeep(_ conjunction: FilterNode.Conjunction) -> AutoAPIError {
        AutoAPIError.unparsable(
            "logic tree", details: "\(conjunction.rawValue)=…: groups nest at most \(maxGroupDepth) deep",
            hint: "flatten the tree: and/or take any number of members")
    }

    /// The members of `and=(…)` / `or=(…)`: conditions `column.[not.]op.value` and nested groups.
    static func group(_ text: Substring, conjunction: FilterNode.Conjunction, negated: Bool, depth: Int) throws -> FilterNode {
        guard depth <= maxGroupDepth else { throw tooDeep(conjunction) }
        guard text.first == "(", text.last == ")", text.count >= 2 else {
            throw AutoAPIError.unparsable("logic tree", details: "\(conjunction.rawValue)=\(text): expected (…)")
        }
        let members = try ListSplitter.split(text.dropFirst().dropLast()).map { try member($0, depth: depth) }
        guard !members.isEmpty else { throw AutoAPIError.unparsable("logic tree", details: "\(conjunction.rawValue)=() is empty") }
        return .group(conjunction: conjunction, negated: negated, members: members)
    }

    private static func member(_ text: Substring, depth: Int) throws -> FilterNode {
        let trimmed = text.trimmingPrefix(" ")
        for (prefix, conjunction, negated) in [
            ("and(", FilterNode.Conjunction.and, false), ("or(", .or, false),
            ("not.and(", .and, true), ("not.or(", .or, true),
        ] where trimmed.hasPrefix(prefix) {
            return try group(trimmed.dropFirst(prefix.count - 1), conjunction: conjunction, negated: negated, depth: depth + 1)
        }
        guard let dot = trimmed.firstIndex(of: "."), dot != trimmed.startIndex else {
            throw AutoAPIError.unparsable("logic tree", details: "'\(text)': expected column.operator.value")
        }
        return .condition(try operation(trimmed[trimmed.index(after: dot)...], column: String(trimmed[..<dot]), quotedValues: true))
    }
}
