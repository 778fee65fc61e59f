/// Well-known text (what SQL Server's `STAsText()` returns) as GeoJSON: points, line strings, polygons,
/// their multi forms and collections; coordinates keep their digits, Z stays, M is dropped.
enum WKTGeoJSON {
    private indirect enum Node {
        case coordinate([Substring])
        case list([Node])
        case geometry(type: String, body: Node?)
    }

    /// The GeoJSON text of `wkt`, or nil when it is not WKT this reads.
    static func convert(_ wkt: String) -> String? {
        var parser = Parser(text: Substring(wkt))
        guard let node = parser.geometry(), parser.atEnd else { return nil }
        return json(node)
    }

    /// A WKT number (one `Double` parses) as a JSON number with the same digits: WKT allows `+1`, `.5`,
    /// `5.`, `007` and `1.e3`, which JSON does not.
    static func jsonNumber(_ text: Substring) -> String {
        let (negative, unsigned) = signed(text)
        let exponentStart = unsigned.firstIndex { $0 == "e" || $0 == "E" }
        let mantissa = unsigned[..<(exponentStart ?? unsigned.endIndex)]
        let point = mantissa.firstIndex(of: ".") ?? mantissa.endIndex
        let fraction = mantissa[point...].dropFirst()
        var number = (negative ? "-" : "") + digits(mantissa[..<point]) + (fraction.isEmpty ? "" : "." + fraction)
        if let exponentStart {
            let (negativeExponent, exponent) = signed(unsigned[exponentStart...].dropFirst())
            number += "e" + (negativeExponent ? "-" : "") + digits(exponent)
        }
        return number
    }

    /// Whether a number's text starts with a minus, and the text after its sign.
    private static func signed(_ text: Substring) -> (negative: Bool, rest: Substring) {
        guard let first = text.first, first == "+" || first == "-" else { return (false, text) }
        return (first == "-", text.dropFirst())
    }

    /// Digits without their leading zeros (`0` when nothing else is left).
    private static func digits(_ text: Substring) -> String {
        let significant = text.drop { $0 == "0" }
        return significant.isEmpty ? "0" : String(significant)
    }

    private static func json(_ node: Node) -> String? {
        guard case let .geometry(type, body) = node else { return nil }
        let name: String
        switch type {
        case "POINT": name = "Point"
        case "LINESTRING": name = "LineString"
        case "POLYGON": name = "Polygon"
        case "MULTIPOINT": name = "MultiPoint"
        case "MULTILINESTRING": name = "MultiLineString"
        case "MULTIPOLYGON": name = "MultiPolygon"
        case "GEOMETRYCOLLECTION":
            guard case let .list(members)? = body else { return #"{"type":"GeometryCollection","geometries":[]}"# }
            let geometries = members.compactMap(json)
            guard geometries.count == members.count else { return nil }
            return #"{"type":"GeometryCollection","geometries":["# + geometries.joined(separator: ",") + "]}"
        default: return nil
        }
        guard let body else { return #"{"type":""# + name + #"","coordinates":[]}"# }
        // A point's body is one coordinate; MULTIPOINT may list bare coordinates or parenthesized ones.
        let coordinates: String? =
            switch (type, body) {
            case let ("POINT", .list(items)) where items.count == 1: coordinatesJSON(items[0])
            default: coordinatesJSON(body)
            }
        guard let coordinates else { return nil }
        return #"{"type":""# + name + #"","coordinates":"# + coordinates + "}"
    }

    private static func coordinatesJSON(_ node: Node) -> String? {
        switch node {
        case let .coordinate(numbers):
            return "[" + numbers.prefix(3).joined(separator: ",") + "]"
        case let .list(items):
            // `MULTIPOINT ((1 2), (3 4))`: a one-coordinate list is that coordinate.
            let parts = items.map { item -> String? in
                if case let .list(inner) = item, inner.count == 1, case .coordinate = inner[0] { return coordinatesJSON(inner[0]) }
                return coordinatesJSON(item)
            }
            guard !parts.contains(where: { $0 == nil }) else { return nil }
            return "[" + parts.compactMap { $0 }.joined(separator: ",") + "]"
        case .geometry:
            return nil
        }
    }

    private struct Parser {
        var text: Substring

        var atEnd: Bool {
            mutating get {
                skipSpace()
                return text.isEmpty
            }
        }

        mutating func skipSpace() { text = text.drop { $0 == " " || $0 == "\n" || $0 == "\t" } }

        mutating func word() -> String {
            skipSpace()
            let word = text.prefix { $0.isLetter }
            text = text.dropFirst(word.count)
            return word.uppercased()
        }

        mutating func geometry() -> Node? {
            let type = word()
            guard !type.isEmpty else { return nil }
            var next = word()
            if ["Z", "M", "ZM"].contains(next) { next = word() }
            if next == "EMPTY" { return .geometry(type: type, body: nil) }
            guard next.isEmpty else { return nil }
            if type == "GEOMETRYCOLLECTION" {
                guard consume("(") else { return nil }
                var members: [Node] = []
                repeat {
                    guard let member = geometry() else { return nil }
                    members.append(member)
                } while consume(",")
                guard consume(")") else { return nil }
                return .geometry(type: type, body: .list(members))
            }
            guard let body = list() else { return nil }
            return .geometry(type: type, body: body)
        }

        mutating func consume(_ character: Character) -> Bool {
            skipSpace()
            guard text.first == character else { return false }
            text.removeFirst()
            return true
        }

        /// `( item, item, … )` where an item is a coordinate or another list.
        mutating func list() -> Node? {
            guard consume("(") else { return nil }
            var items: [Node] = []
            repeat {
                skipSpace()
                if text.first == "(" {
                    guard let inner = list() else { return nil }
                    items.append(inner)
                } else {
                    guard let coordinate = coordinate() else { return nil }
                    items.append(coordinate)
                }
            } while consume(",")
            guard consume(")") else { return nil }
            return .list(items)
        }

        mutating func coordinate() -> Node? {
            var numbers: [Substring] = []
            while true {
                skipSpace()
                let number = text.prefix { $0.isNumber || "+-.eE".contains($0) }
                guard !number.isEmpty, Double(number) != nil else { break }
                numbers.append(Substring(WKTGeoJSON.jsonNumber(number)))
                text = text.dropFirst(number.count)
            }
            return numbers.count >= 2 ? .coordinate(numbers) : nil
        }
    }
}
