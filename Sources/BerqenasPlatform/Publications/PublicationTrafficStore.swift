import BerqenasNetwork
import FluentKit
import Foundation
import SQLKit

/// Adds measured traffic to publications' totals in one statement each (`total = total + delta`), so
/// concurrent writers never lose one another's additions.
enum PublicationTrafficStore {
    static func add(_ traffic: [UUID: PublicationTraffic], on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for (id, delta) in traffic where !delta.isZero {
            func grown(_ column: String, _ by: Int64) -> SQLBinaryExpression {
                SQLBinaryExpression(SQLIdentifier(column), .add, SQLBind(by))
            }
            try await sql.update(Publication.schema)
                .set(SQLIdentifier("connections"), to: grown("connections", delta.connections))
                .set(SQLIdentifier("bytes_in"), to: grown("bytes_in", delta.bytesIn))
                .set(SQLIdentifier("bytes_out"), to: grown("bytes_out", delta.bytesOut))
                .where(SQLIdentifier("id"), .equal, SQLBind(id))
                .run()
        }
    }

    /// The key a publication's counters and relay go by.
    static func key(_ id: UUID) -> String { id.uuidString.replacingOccurrences(of: "-", with: "").lowercased() }
}
