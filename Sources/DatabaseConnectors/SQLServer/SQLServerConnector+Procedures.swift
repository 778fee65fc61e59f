extension SQLServerConnector {
    /// The schema's stored procedures a generated API can call (`TSQLProcedures`), through this login.
    package func describeFunctions(schema: String) async throws -> [FunctionSchema] {
        try await procedures(schema: schema).served
    }

    /// Why each procedure of the schema that is not served is left out.
    package func unservedFunctions(schema: String) async throws -> [String: String] {
        try await procedures(schema: schema).skipped
    }

    private func procedures(schema: String) async throws -> (served: [FunctionSchema], skipped: [String: String]) {
        try await pool.withConnection { session in
            let parameters = try await session.query(TSQLProcedures.parametersSQL, [schema])
            let results = try await session.query(TSQLProcedures.resultsSQL, [schema])
            return TSQLProcedures.describe(schema: schema, parameterRows: parameters, resultRows: results)
        }
    }

    /// Runs a procedure's batch in a transaction (undone with `rollback`) and decodes its last
    /// `results.count` result sets as `results` (the batch's own selects come last; a result set a procedure
    /// sends on its own comes before them and is not answered).
    package func callProcedure(_ batch: String, binds: [String?], results: [[ColumnSchema]], rollback: Bool) async throws -> [[Row]] {
        try await withTransaction(rollback: rollback) { session in
            let sets: [[[String?]]]
            do { sets = try await session.resultSets(batch, binds) } catch let error as ConnectorError {
                throw Self.collectingRefused(error) ?? error
            }
            // A procedure that committed or rolled back the call's transaction took the call's undo away.
            guard try await session.query("SELECT CONVERT(varchar(10), @@TRANCOUNT)").first?.first == "1" else {
                throw ConnectorError(
                    .queryFailed, "the procedure ended the call's transaction itself",
                    source: .init(
                        state: "0A000", message: "the procedure committed or rolled back the call's transaction itself",
                        hint: "a procedure called through the API leaves the transaction to the call"))
            }
            guard sets.count >= results.count else {
                throw ConnectorError(.queryFailed, "the procedure's batch returned \(sets.count) result sets, not \(results.count)")
            }
            return try zip(sets.suffix(results.count), results).map { rows, columns in
                try rows.map { cells in Row(try zip(cells, columns).map { try SQLServerValueCodec.decode($0, as: $1.canonicalType) }) }
            }
        }
    }

    /// What SQL Server refuses while a call collects a procedure's rows (`INSERT … EXEC`), said plainly as
    /// PostgreSQL's 0A000 (feature not supported); nil for other failures.
    static func collectingRefused(_ error: ConnectorError) -> ConnectorError? {
        let reason: String
        switch error.serverCode {
        case 213: reason = "the procedure sends a result set without its first result set's columns"
        case 8164: reason = "the procedure itself collects a procedure's rows (INSERT … EXEC), which SQL Server cannot nest"
        case 3915: reason = "the procedure rolls back a transaction, which SQL Server forbids while its rows are collected"
        case 556: reason = "the procedure changed the table its rows are collected in"
        default: return nil
        }
        let code = error.serverCode ?? 0
        return ConnectorError(.queryFailed, reason, source: .init(state: "0A000", message: reason, detail: "SQL Server error \(code)"))
    }
}
