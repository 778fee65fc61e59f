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
        try await pool.withConnection { session in
            _ = try await session.query("BEGIN TRANSACTION")
            do {
                let sets = try await session.resultSets(batch, binds)
                guard sets.count >= results.count else {
                    throw ConnectorError(.queryFailed, "the procedure's batch returned \(sets.count) result sets, not \(results.count)")
                }
                let decoded = try zip(sets.suffix(results.count), results).map { rows, columns in
                    try rows.map { cells in Row(try zip(cells, columns).map { try SQLServerValueCodec.decode($0, as: $1.canonicalType) }) }
                }
                _ = try await session.query(rollback ? "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION" : "COMMIT TRANSACTION")
                return decoded
            } catch {
                _ = try? await session.query("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION")
                throw error
            }
        }
    }
}
