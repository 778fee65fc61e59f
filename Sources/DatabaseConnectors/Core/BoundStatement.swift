/// A statement and the values bound to its parameters, each in its canonical form (the connector encodes
/// it as its engine expects, e.g. bytes as a blob in SQLite, text cast to the column type in PostgreSQL).
package struct BoundStatement: Sendable, Equatable {
    package var sql: String
    package var binds: [CanonicalValue]

    package init(sql: String, binds: [CanonicalValue]) {
        self.sql = sql
        self.binds = binds
    }
}
