import BerqenasTestSupport
import Foundation
import Testing
import Vapor

/// The README's route table is checked against the code, so it cannot drift: it lists exactly the management
/// routes the hub registers (docs/configuration.md's table is checked by `ConfigurationDocTests`).
struct ReadmeTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func readme() throws -> String {
        try document("README.md")
    }

    static func document(_ path: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
    }

    /// The rows of the Markdown table whose header row starts with `header`.
    static func tableRows(_ text: String, header: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix(header) }) else { return [] }
        return Array(lines[(start + 2)...].prefix { $0.hasPrefix("|") })
    }

    /// The backticked items of a row's first cell.
    static func firstCellItems(_ row: String) -> [String] {
        let cell = row.split(separator: "|", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return cell.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// `METHOD path` for each item `GET/POST /api/v1/x/{id}` of the route table (other code in the cell, such
    /// as a query parameter, is prose).
    static func documentedRoutes(_ readme: String) -> [String] {
        tableRows(readme, header: "| route | who |").flatMap(firstCellItems).flatMap { item -> [String] in
            guard let route = item.wholeMatch(of: /([A-Z]+(?:\/[A-Z]+)*) (\/\S*)/) else { return [] }
            return route.output.1.split(separator: "/").map { "\($0) \(route.output.2)" }
        }
    }

    @Test func theRouteTableListsEveryManagementRouteAndNoOther() async throws {
        let documented = Self.documentedRoutes(try Self.readme())
        #expect(Set(documented).count == documented.count, "a route is listed twice")
        try await TestHub.run { hub in
            // The generated APIs under /rest/v1 are described by their own OpenAPI documents.
            let registered = hub.app.routes.all.filter { $0.path.first?.description != "rest" }.map { route in
                "\(route.method.rawValue) /"
                    + route.path.map { component in
                        let text = component.description
                        return text.hasPrefix(":") ? "{\(text.dropFirst())}" : text
                    }.joined(separator: "/")
            }
            let missing = Set(registered).subtracting(documented).sorted()
            let stale = Set(documented).subtracting(registered).sorted()
            #expect(missing.isEmpty, "routes missing from the README's route table: \(missing)")
            #expect(stale.isEmpty, "routes in the README's route table that the hub does not have: \(stale)")
        }
    }
}
