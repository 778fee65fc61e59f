import Foundation

/// Type names as engines spell them: a name with optional numeric modifiers in parentheses.
enum TypeSpelling {
    /// `timestamp(3) with time zone` -> (`timestamp with time zone`, [3]); `numeric(10,2)` -> (`numeric`, [10, 2]).
    static func split(_ formatted: String) -> (String, [Int]) {
        guard let open = formatted.firstIndex(of: "("), let close = formatted[open...].firstIndex(of: ")") else {
            return (formatted, [])
        }
        let inside = formatted[formatted.index(after: open)..<close]
        let numbers = inside.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let name = (formatted[..<open] + formatted[formatted.index(after: close)...])
            .trimmingCharacters(in: .whitespaces)
        // Spatial modifiers (`geometry(Point,4326)`) are not numbers; keep the bare name.
        return (name, numbers)
    }
}
