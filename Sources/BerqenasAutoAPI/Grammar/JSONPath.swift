import Foundation

/// A path into a JSON value after a column name, as PostgREST writes it: `data->items->0->>name`. Each
/// step is an arrow (`->` keeps JSON, `->>` gives text) and a key or an array index (a well-formed integer,
/// negative counting from the end; anything else is a key: `0xy1` is a key).
package struct JSONPath: Sendable, Equatable {
    package enum Arrow: Sendable, Equatable {
        /// `->`: the value as JSON.
        case json
        /// `->>`: the value as text.
        case text
    }

    package enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    package var steps: [(arrow: Arrow, step: Step)]

    package init(_ steps: [(arrow: Arrow, step: Step)]) {
        self.steps = steps
    }

    package static func == (left: JSONPath, right: JSONPath) -> Bool {
        left.steps.count == right.steps.count && zip(left.steps, right.steps).allSatisfy { $0.arrow == $1.arrow && $0.step == $1.step }
    }

    /// Whether the value at the end is text (the last arrow is `->>`).
    package var endsAsText: Bool { steps.last?.arrow == .text }

    /// The name PostgREST gives the value when there is no alias: the last key of the path, or the column's
    /// name when the path holds only indexes.
    package func defaultName(column: String) -> String {
        for (_, step) in steps.reversed() { if case let .key(key) = step { return key } }
        return column
    }

    /// `data->a->>b` -> ("data", the path a, b); a name without an arrow has no path.
    package static func split(_ reference: String) throws -> (column: String, path: JSONPath?) {
        // A quoted column name may hold an arrow of its own: the path starts after its closing quote.
        var searchFrom = reference.startIndex
        if reference.hasPrefix("\""), let closing = reference.dropFirst().firstIndex(of: "\"") { searchFrom = closing }
        guard let first = reference.range(of: "->", range: searchFrom..<reference.endIndex) else {
            return (RequestParser.identifier(reference), nil)
        }
        let column = String(reference[..<first.lowerBound])
        guard !column.isEmpty else {
            throw AutoAPIError.unparsable("column", details: "'\(reference)': a JSON path starts with a column name, like data->key")
        }
        var steps: [(arrow: Arrow, step: Step)] = []
        var rest = reference[first.lowerBound...]
        while !rest.isEmpty {
            guard rest.hasPrefix("->") else { break }
            rest = rest.dropFirst(2)
            var arrow = Arrow.json
            if rest.hasPrefix(">") {
                arrow = .text
                rest = rest.dropFirst()
            }
            let end = rest.range(of: "->")?.lowerBound ?? rest.endIndex
            let text = String(rest[..<end])
            rest = rest[end...]
            guard !text.isEmpty else {
                throw AutoAPIError.unparsable("column", details: "'\(reference)': an empty key in a JSON path", hint: "column->key->>key")
            }
            steps.append((arrow, index(text).map(Step.index) ?? .key(text)))
        }
        guard steps.count <= maxSteps else {
            throw AutoAPIError.unparsable("column", details: "a JSON path of \(steps.count) steps; at most \(maxSteps) are taken")
        }
        return (RequestParser.identifier(column), JSONPath(steps))
    }

    /// How many steps one path may take (an expression the database nests that deep, never more).
    static let maxSteps = 32

    /// An array index: an optional minus sign and digits, nothing else.
    private static func index(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count < 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
