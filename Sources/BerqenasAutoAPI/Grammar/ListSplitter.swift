/// Splits PostgREST lists (`a,b,"c,d",and(e,f),id.eq(any).{1,2}`) at top-level commas: not inside parentheses
/// or braces, not inside double quotes (where `\"` and `\\` escape).
enum ListSplitter {
    /// Parentheses nested deeper than a split allows.
    struct TooDeep: Error {}

    /// The top-level items; `maxDepth` bounds how deep parentheses may nest (`TooDeep` past it).
    static func split(_ text: Substring, maxDepth: Int = .max) throws -> [Substring] {
        var parts: [Substring] = []
        var depth = 0
        var braces = 0
        var quoted = false
        var escaped = false
        var start = text.startIndex
        for index in text.indices {
            let character = text[index]
            if quoted {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { quoted = false }
                continue
            }
            switch character {
            case "\"": quoted = true
            case "(":
                depth += 1
                guard depth <= maxDepth else { throw TooDeep() }
            case ")":
                depth -= 1
                guard depth >= 0 else { throw AutoAPIError.unparsable("list", details: "unexpected ')' in \(text)") }
            case "{": braces += 1
            case "}" where braces > 0: braces -= 1
            case "," where depth == 0 && braces == 0:
                parts.append(text[start..<index])
                start = text.index(after: index)
            default: break
            }
        }
        guard depth == 0, !quoted else {
            throw AutoAPIError.unparsable("list", details: quoted ? "unterminated '\"' in \(text)" : "unbalanced '(' in \(text)")
        }
        parts.append(text[start...])
        return parts
    }

    /// A list item without its surrounding double quotes and escapes (`"a\"b"` -> `a"b`); unquoted items
    /// stay as they are.
    static func unquote(_ item: Substring) -> String {
        guard item.count >= 2, item.first == "\"", item.last == "\"" else { return String(item) }
        var result = ""
        var escaped = false
        for character in item.dropFirst().dropLast() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
